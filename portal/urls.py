from django.urls import path

from . import (
    account_page,
    book,
    decisions,
    entry_corrections,
    imports,
    priority_facts,
    today,
    triage,
)

urlpatterns = [
    path("today/", today.today, name="today"),
    path("book/", book.book, name="book"),
    path("book/export.csv", book.book_export, name="book_export"),
    path("accounts/<int:pk>/", account_page.account_detail, name="account_detail"),
    path("accounts/<int:pk>/timeline/", account_page.account_timeline, name="account_timeline"),
    path("accounts/<int:pk>/log/<slug:kind>/", account_page.log_activity, name="log_activity"),
    path(
        "accounts/<int:pk>/entries/<int:entry_pk>/edit/",
        entry_corrections.edit_entry,
        name="edit_entry",
    ),
    path(
        "accounts/<int:pk>/entries/<int:entry_pk>/remove/",
        entry_corrections.remove_entry,
        name="remove_entry",
    ),
    path("accounts/<int:pk>/facts/<slug:fact>/", priority_facts.set_fact, name="set_fact"),
    path(
        "accounts/<int:pk>/initiatives/add/",
        priority_facts.add_initiative,
        name="add_initiative",
    ),
    path(
        "accounts/<int:pk>/initiatives/<int:initiative_pk>/",
        priority_facts.change_initiative,
        name="change_initiative",
    ),
    path(
        "accounts/<int:pk>/opportunities/<int:opportunity_pk>/",
        priority_facts.change_opportunity,
        name="change_opportunity",
    ),
    path("accounts/<int:pk>/exception/", decisions.request_exception, name="request_exception"),
    path("accounts/<int:pk>/review/", decisions.propose_review, name="propose_review"),
    path("exceptions/<int:pk>/decide/", decisions.decide_exception, name="decide_exception"),
    path("reviews/<int:pk>/decide/", decisions.decide_review, name="decide_review"),
    path("accounts/<int:pk>/triage/", triage.open_case, name="triage_open"),
    path("triage/", triage.triage_register, name="triage_register"),
    path("triage/export.csv", triage.triage_register_csv, name="triage_register_csv"),
    path("triage/cases/<int:pk>/update/", triage.add_update, name="triage_update"),
    path(
        "triage/cases/<int:pk>/will-churn/",
        triage.propose_will_churn,
        name="triage_propose_will_churn",
    ),
    path(
        "triage/cases/<int:pk>/will-churn/decide/",
        triage.decide_will_churn,
        name="triage_decide_will_churn",
    ),
    path("triage/cases/<int:pk>/close/", triage.close_case, name="triage_close"),
    path("imports/", imports.imports, name="imports"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
]
