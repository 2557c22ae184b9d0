from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _quiet_development_server():
    """Django's development server (runserver, the tests' live server) names itself and
    the Python version in a Server header; an assessor counts that as a banner.
    Production runs gunicorn, which gunicorn.conf.py keeps quiet the same way."""
    from django.core.servers import basehttp

    basehttp.ServerHandler.server_software = None  # wsgiref then sends no Server header
    # Answers the server writes itself (a malformed request line) go through this.
    basehttp.WSGIRequestHandler.version_string = lambda self: ""


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = _("Campaign")

    def ready(self):
        from campaign import checks  # noqa: F401
        from campaign import todo as campaign_todo
        from campaign.lib import todo

        _quiet_development_server()
        todo.register("key_tasks", order=25, tasks=campaign_todo.tasks, overview=campaign_todo.overview)
