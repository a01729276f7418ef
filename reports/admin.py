# == Action plan (h6) ==
from django.contrib import admin  # noqa: E402

from .models import ClosingSummary, Initiative, InitiativeMember, Reflection  # noqa: E402


class InitiativeMemberInline(admin.TabularInline):
    model = InitiativeMember
    extra = 0
    raw_id_fields = ["participant"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["what", "who", "levels", "when", "state", "ladder_step", "event"]
    list_filter = ["state", "ladder_step", "levels"]
    search_fields = ["what", "who", "event__title"]
    raw_id_fields = ["event", "created_by", "topic", "merged_into"]
    inlines = [InitiativeMemberInline]


@admin.register(Reflection)
class ReflectionAdmin(admin.ModelAdmin):
    list_display = ["text", "anonymous", "hidden_at", "event"]
    list_filter = ["anonymous"]
    raw_id_fields = ["event", "participant"]


@admin.register(ClosingSummary)
class ClosingSummaryAdmin(admin.ModelAdmin):
    list_display = ["event", "updated_at"]
    raw_id_fields = ["event", "updated_by"]


# -- session reports -----------------------------------------------------------------

from .models import Report, ReportComment, ReportPhoto  # noqa: E402


class ReportPhotoInline(admin.TabularInline):
    model = ReportPhoto
    extra = 0
    fields = ["thumbnail", "caption", "position"]
    readonly_fields = ["thumbnail"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["topic", "event", "published_at", "version", "updated_at"]
    list_filter = ["event", "published_at"]
    search_fields = ["topic__title", "discussion", "insights", "proposals"]
    readonly_fields = ["version", "write_token", "created_at", "updated_at"]
    list_select_related = ["topic", "event"]
    inlines = [ReportPhotoInline]


@admin.register(ReportComment)
class ReportCommentAdmin(admin.ModelAdmin):
    list_display = ["author_name", "report", "hidden", "created_at"]
    list_filter = ["hidden", "report__event"]
    search_fields = ["text", "author_name"]
    list_select_related = ["report__topic"]
