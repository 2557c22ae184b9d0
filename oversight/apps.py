from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    default = True
    name = "oversight"
    verbose_name = _("Oversight")

    def ready(self):
        from campaign.lib import cards
        from oversight import cards as oversight_cards

        cards.register("oversight", order=10, cards=oversight_cards.home_card_sets, link=oversight_cards.dashboard_link)
