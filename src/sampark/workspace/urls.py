from django.conf import settings
from django.contrib.auth import views as auth
from django.urls import path, reverse_lazy

from . import (
    board_views,
    customer_views,
    delivery_views,
    leave_views,
    mail_views,
    mailbox_views,
    queue_views,
    ticket_views,
    views,
)
from .forms import NewPasswordForm

app_name = "workspace"

urlpatterns = [
    path("", views.root, name="root"),
    path("home/", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("tickets/<int:ticket_id>/", ticket_views.ticket, name="ticket"),
    path("tickets/<int:ticket_id>/older/", ticket_views.older_events, name="ticket_older"),
    path("tickets/<int:ticket_id>/send/", ticket_views.send, name="ticket_send"),
    path("tickets/<int:ticket_id>/draft/", ticket_views.save_draft, name="ticket_draft"),
    path("tickets/<int:ticket_id>/viewers/", ticket_views.heartbeat, name="ticket_viewers"),
    path("tickets/<int:ticket_id>/mail/<int:mail_id>/", mail_views.original, name="ticket_mail"),
    path("tickets/<int:ticket_id>/mail/<int:mail_id>/raw/", mail_views.raw, name="ticket_mail_raw"),
    path(
        "tickets/<int:ticket_id>/attachments/<int:attachment_id>/",
        mail_views.attachment,
        name="ticket_attachment",
    ),
    path("tickets/<int:ticket_id>/<slug:action>/", ticket_views.act, name="ticket_action"),
    path(
        "tickets/<int:ticket_id>/email/<int:outbound_id>/",
        delivery_views.delivery,
        name="ticket_delivery",
    ),
    path(
        "tickets/<int:ticket_id>/email/<int:outbound_id>/undo/",
        delivery_views.undo_send,
        name="ticket_undo_send",
    ),
    path("contacts/<int:contact_id>/", customer_views.contact, name="contact"),
    path(
        "contacts/<int:contact_id>/interactions/",
        customer_views.older_interactions,
        name="contact_interactions",
    ),
    path("contacts/<int:contact_id>/merge/", customer_views.merge, name="contact_merge"),
    path(
        "organizations/<int:organization_id>/",
        customer_views.organization,
        name="organization",
    ),
    path("preferences/", views.preferences, name="preferences"),
    path("presence/", views.change_presence, name="presence"),
    path("language/", views.change_language, name="language"),
    path("views/new/", queue_views.edit_view, name="view_new"),
    path("views/<int:view_id>/", queue_views.saved_view, name="view"),
    path("views/<int:view_id>/edit/", queue_views.edit_view, name="view_edit"),
    path("views/<int:view_id>/delete/", queue_views.delete_view, name="view_delete"),
    path("queues/bulk/", queue_views.bulk, name="bulk"),
    path("queues/take-next/", queue_views.take_next, name="take_next"),
    path("leave/", leave_views.leave_page, name="leave"),
    path("leave/<int:leave_id>/end/", leave_views.end_leave, name="leave_end"),
    path("queues/shortcuts/", queue_views.shortcuts, name="shortcuts"),
    path("queues/filter/", queue_views.filtered_queue, name="queue_filter"),
    path("queues/counts/", queue_views.queue_counts, name="queue_counts"),
    path("queues/<slug:name>/", queue_views.queue, name="queue"),
    path("swarm-requests/", queue_views.swarm_requests, name="swarm_requests"),
    path("swarm-requests/<int:swarm_id>/", queue_views.answer_swarm, name="swarm_answer"),
    path("board/", board_views.board, name="board"),
    path("mailboxes/", mailbox_views.mailbox_list, name="mailboxes"),
    path("mailboxes/new/", mailbox_views.mailbox_edit, name="mailbox_new"),
    path("mailboxes/<int:mailbox_id>/", mailbox_views.mailbox_edit, name="mailbox"),
    path("mailboxes/<int:mailbox_id>/delete/", mailbox_views.mailbox_delete, name="mailbox_delete"),
    path("mail/attention/", mailbox_views.attention, name="mail_attention"),
    path("mail/attention/<int:inbound_id>/original/", mailbox_views.original, name="mail_original"),
    path("mail/attention/<int:inbound_id>/retry/", mailbox_views.retry, name="mail_retry"),
    path("mail/attention/<int:inbound_id>/dismiss/", mailbox_views.dismiss, name="mail_dismiss"),
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-out/", auth.LogoutView.as_view(), name="sign_out"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth.PasswordResetDoneView.as_view(
            template_name="workspace/password_reset_sent.html",
            extra_context={"reset_hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
        ),
        name="password_reset_sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(
            form_class=NewPasswordForm,
            template_name="workspace/password_reset_confirm.html",
            success_url=reverse_lazy("workspace:password_reset_done"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth.PasswordResetCompleteView.as_view(template_name="workspace/password_reset_done.html"),
        name="password_reset_done",
    ),
]
