"""Demo reports for seed_demo: realistic Swedish reports, one with a flipchart photo."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from . import services
from .models import ReportComment

REPORTS = {
    "Hur minskar vi dubbeldokumentationen i hemtjänsten?": {
        "participant_count": 9,
        "participant_names": "Anna, Per, Sofia, Ahmed, Karin, Lars, Elin, Tomas, Hanna",
        "discussion": (
            "Personalen dokumenterar samma besök i tre system: verksamhetssystemet, "
            "planeringsverktyget och på papper i hemmet.\n\n"
            "- Varför finns pappret kvar?\n- Vem läser vad?\n- Vad kräver lagen egentligen?"
        ),
        "insights": "Mycket av dubbeldokumentationen bygger på vana, inte på krav.",
        "proposals": (
            "- Kartlägga ett dygns dokumentation i en grupp (Västerås, före sommaren)\n"
            "- Bjuda in IT till nästa träff"
        ),
        "photo": "Blädderblock: tre system, ett besök",
        "comments": [("Maria Svensson", "Samma sak hos oss på Försäkringskassan!")],
    },
    "Tillit i praktiken: vad slutar vi kontrollera?": {
        "participant_count": 7,
        "discussion": "Vi listade kontroller som ingen kunde förklara syftet med.",
        "insights": "Tillit kräver att chefen också vågar släppa.",
        "proposals": "- Pröva att ta bort en kontroll i tre månader och följa upp",
    },
    "Gemensam blankett för försörjningsstöd i länet": {
        "participant_count": 8,
        "discussion": "Fem kommuner har fem olika blanketter för samma ansökan.",
        "proposals": "- Ta fram ett gemensamt utkast till nästa nätverksträff",
    },
}


def flipchart_photo() -> SimpleUploadedFile:
    image = Image.new("RGB", (1600, 1200), "white")
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 110)
    except OSError:  # no DejaVu on this machine: Pillow's own font (no Swedish letters)
        font = ImageFont.load_default(size=110)
    draw.rectangle([40, 40, 1560, 1160], outline="#1b1f24", width=8)
    for row, text in enumerate(["TRE SYSTEM", "ETT BESÖK", "- papper", "- planering", "- journal"]):
        draw.text((120, 140 + row * 180), text, fill="#0b5cad", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile("flipchart.jpg", buffer.getvalue(), content_type="image/jpeg")


@transaction.atomic
def seed(event, participants, topics) -> None:
    by_title = {topic.title: topic for topic in topics}
    people = {participant.display_name: participant for participant in participants}
    people.update({participant.name: participant for participant in participants})
    for title, data in REPORTS.items():
        topic = by_title.get(title)
        if topic is None:
            continue
        report = services.report_for(topic)
        fields = {k: v for k, v in data.items() if k not in ("photo", "comments")}
        if report.published_at is None or any(getattr(report, k) != v for k, v in fields.items()):
            services.save_report(
                report=report,
                base_version=report.version,
                fields=fields,
                author=topic.convener.display_name if topic.convener else "",
                publish=True,
            )
        if data.get("photo") and not report.photos.exists():
            services.add_photo(report=report, upload=flipchart_photo(), caption=data["photo"])
        for author, text in data.get("comments", []):
            participant = people.get(author)
            if participant and not ReportComment.objects.filter(report=report, text=text).exists():
                services.add_comment(report=report, participant=participant, text=text)
