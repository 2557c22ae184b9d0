"""System checks: what must hold before the platform starts.

(A missing SECRET_KEY with DEBUG off is refused earlier, when the settings load.)
"""

import shutil
import subprocess

from django.core.checks import Error, Tags, Warning, register


@register()
def check_cjk_font(app_configs, **kwargs):
    """PDFs must render Chinese: without a CJK font WeasyPrint silently draws boxes."""
    if not shutil.which("fc-list"):
        return [Warning("fc-list not found: cannot verify that a CJK font is installed.", id="campaign.W002")]
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    if not out.strip():
        return [
            Error(
                "No CJK font is installed: PDFs would print Chinese as empty boxes.",
                hint="apt-get install fonts-noto-cjk (or fonts-wqy-microhei); ./dev setup does this.",
                id="campaign.E002",
            )
        ]
    return []


@register(Tags.compatibility, deploy=True)
def check_broker_reachable(app_configs, broker_url=None, **kwargs):
    """In production the Celery broker must answer, or reminders and rollups silently stop."""
    from campaign.celery import app

    url = broker_url or app.conf.broker_url
    try:
        with app.connection_for_write(url) as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:
        return [
            Error(
                f"The Celery broker ({url.split('://', 1)[0]}://…) cannot be reached: {exc}",
                hint="Check CELERY_BROKER_URL and that the broker (Redis) is running.",
                id="campaign.E003",
            )
        ]
    return []
