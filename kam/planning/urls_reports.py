from django.urls import URLPattern, path, register_converter

from kam.planning import views_report_rules, views_reports
from kam.planning.converters_reports import IsoDayConverter, ReportKindConverter

register_converter(ReportKindConverter, "reportkind")
register_converter(IsoDayConverter, "isoday")

urlpatterns: list[URLPattern] = [
    path("reports/", views_reports.report_list, name="report-list"),
    path("reports/team/", views_reports.report_team, name="report-team"),
    path("reports/rules/", views_report_rules.report_rules, name="report-rules"),
    path("reports/rules/<int:pk>/", views_report_rules.report_rule_edit, name="report-rule-edit"),
    path("reports/rules/<int:pk>/active/", views_report_rules.report_rule_active, name="report-rule-active"),
    path("reports/<int:pk>/", views_reports.report_detail, name="report-detail"),
    path("reports/<int:pk>/comments/", views_reports.report_comments, name="report-comments"),
    path("reports/<int:pk>/withdraw/", views_reports.report_withdraw, name="report-withdraw"),
    path("reports/<reportkind:kind>/<isoday:day>/", views_reports.report_edit, name="report-edit"),
]
