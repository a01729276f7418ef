from django.contrib import admin

from agenda.models import Room, TimeSlot

from .models import Event, FacilitatorInvite, Participant, RunSheetItem, Series


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


class TimeSlotInline(admin.TabularInline):
    model = TimeSlot
    extra = 0


class RunSheetInline(admin.TabularInline):
    model = RunSheetItem
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "phase", "language", "slug", "join_code"]
    list_filter = ["phase", "language", "date"]
    search_fields = ["title", "slug", "join_code", "venue"]
    filter_horizontal = ["facilitators"]
    readonly_fields = ["join_code", "version", "created_at", "updated_at"]
    inlines = [RoomInline, TimeSlotInline, RunSheetInline]
    date_hierarchy = "date"


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "event", "created_at", "removed_at"]
    list_filter = ["event"]
    search_fields = ["name", "organisation"]
    readonly_fields = ["token", "created_at", "removed_at"]
    list_select_related = ["event"]


@admin.register(FacilitatorInvite)
class FacilitatorInviteAdmin(admin.ModelAdmin):
    list_display = ["event", "created_by", "created_at", "accepted_by", "accepted_at"]
    readonly_fields = ["token"]
    list_select_related = ["event", "created_by", "accepted_by"]


@admin.register(RunSheetItem)
class RunSheetItemAdmin(admin.ModelAdmin):
    list_display = ["event", "starts_at", "ends_at", "phase", "label"]
    list_filter = ["phase", "event"]
    search_fields = ["label", "event__title"]
    list_select_related = ["event"]
