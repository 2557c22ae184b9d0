from django.contrib import admin

from campaign.lib.admin import HistoryAdmin, PlatformAdmin, ReadOnlyMixin
from oversight.bulletins import services
from oversight.bulletins.models import Bulletin, BulletinSeries, BulletinVersion
from oversight.models import DEFAULT_WEIGHTS, RankingWeights
from oversight.services import ranking_weights_set
from oversight.summaries.models import AnnualSummary, SummaryVersion


@admin.register(RankingWeights)
class RankingWeightsAdmin(HistoryAdmin):
    """A campaign's ranking weights, written through oversight.services.ranking_weights_set."""

    unit_path = "campaign__district"
    list_display = ["campaign", *DEFAULT_WEIGHTS]
    fields = ["campaign", *DEFAULT_WEIGHTS]

    def get_readonly_fields(self, request, obj=None):
        return ["campaign"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        saved = ranking_weights_set(
            by=request.user, campaign=obj.campaign, **{name: getattr(obj, name) for name in DEFAULT_WEIGHTS}
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BulletinSeries)
class BulletinSeriesAdmin(HistoryAdmin):
    """An office's bulletin number prefix (下创建办 of 下创建办〔2026〕3号), through its service."""

    unit_path = "office"
    list_display = ["office", "prefix"]
    fields = ["office", "prefix"]
    autocomplete_fields = ["office"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.bulletin_series_save(by=request.user, series=obj)


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyMixin, HistoryAdmin):
    """Read-only: bulletins are written, approved and published on their screens."""

    unit_path = "office"
    list_display = ["title", "office", "status", "year", "number", "period_start", "period_end"]
    list_filter = ["status", "year"]
    search_fields = ["title"]


@admin.register(BulletinVersion)
class BulletinVersionAdmin(ReadOnlyMixin, HistoryAdmin):
    unit_path = "bulletin__office"
    list_display = ["document_number", "version", "title", "published_at", "pdf_pages", "withdrawn_at"]
    search_fields = ["document_number", "title"]
    exclude = ["snapshot"]


@admin.register(AnnualSummary)
class AnnualSummaryAdmin(ReadOnlyMixin, HistoryAdmin):
    """Read-only: a summary is written and made on its screens (oversight.summaries)."""

    unit_path = "unit"
    list_display = ["unit", "year", "created_by", "updated_at"]
    list_filter = ["year"]


@admin.register(SummaryVersion)
class SummaryVersionAdmin(ReadOnlyMixin, PlatformAdmin):
    unit_path = "summary__unit"
    list_display = ["summary", "version", "language", "pdf_pages", "made_by", "made_at", "pdf_sha256"]
    exclude = ["snapshot", "narrative"]
