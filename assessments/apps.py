from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    default = True
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        from campaign.demo import demo_loaded
        from campaign.lib import backlinks

        # A hazard's page links back to the finding that raised it (hazards never import this app).
        backlinks.register("hazards.hazard", "assessments", _finding_links)
        # After reporting's receiver (INSTALLED_APPS order), before oversight's rollups: the demo's
        # published round is there when the dashboards and the ranking count.
        demo_loaded.connect(_demo_loaded, dispatch_uid="assessments_demo")


def _finding_links(user, hazard):
    from django.urls import reverse
    from django.utils.translation import gettext as _t

    from assessments import run_workflow, selectors
    from assessments.models import Side
    from campaign.lib.backlinks import BackLink

    finding = selectors.finding_of_hazard(user, hazard)
    if finding is None:
        return []
    run, item = finding.answer.run, finding.answer.item
    if finding.answer.side == Side.SELF or run_workflow.sees_review(user, run):
        url = f"{reverse('assessment_score', args=[run.pk, finding.answer.side])}#item-{item.pk}"
    else:
        url = reverse("assessment_run", args=[run.pk])
    return [
        BackLink(
            label=_t("Raised from an assessment finding"),
            text=f"{run.round.name} · {run.unit.name} · {item.code} {item.name}",
            url=url,
            note=finding.description[:60],
        )
    ]


def _demo_loaded(sender, *, campaign, today, **kwargs):
    from assessments.demo import load_demo

    load_demo(campaign=campaign, today=today)

