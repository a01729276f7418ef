"""Background tasks of the reports app (Django's tasks framework).

With TASKS_BACKEND=database (the default outside tests) a worker must run:
`python manage.py db_worker` (django-tasks-db). See docs/documentation-pdf.md.
"""

from django.tasks import task

from . import documentation


@task()
def render_documentation_pdf(render_id: int) -> None:
    documentation.run_render(render_id)
