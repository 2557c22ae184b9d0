from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    default = True
    name = "oversight"
    verbose_name = _("Oversight")

    def ready(self):
        from campaign.demo import demo_loaded
        from campaign.lib import cards
        from oversight import cards as oversight_cards

        # Connected after reporting's receiver (INSTALLED_APPS lists reporting first, and apps are
        # made ready in that order), so the demo's reports are there to be counted.
        demo_loaded.connect(_demo_loaded, dispatch_uid="oversight_demo")
        # After the rollups (connected after them): the demo's bulletin ranks from them.
        demo_loaded.connect(_demo_bulletin, dispatch_uid="oversight_demo_bulletin")
        # After the rollups too: the finished campaigns' years, summed up from them.
        demo_loaded.connect(_demo_summaries, dispatch_uid="oversight_demo_summaries")
        # The home page's cards and the menu's 数据看板 (campaign.lib.cards: campaign never imports oversight).
        cards.register("oversight", order=10, cards=oversight_cards.home_card_sets, link=oversight_cards.dashboard_link)


def _demo_loaded(sender, *, campaign, today, **kwargs):
    from oversight.rollups import rebuild

    rebuild(campaign.district, full=True)


def _demo_bulletin(sender, *, campaign, today, **kwargs):
    from oversight.bulletins.demo import load_demo_bulletin

    load_demo_bulletin(campaign=campaign, today=today)


def _demo_summaries(sender, *, finished=(), **kwargs):
    from oversight.summaries.demo import load_demo_summaries

    load_demo_summaries(finished=finished)
