"""A team's chat channels, managed by its owners on the team page: add (the address is checked and then never shown
again), send a test, remove. Outsiders get 404; members who aren't owners, 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from patterns.http import SignedInRequest
from portal.access import get_team_for_user
from portal.forms import ChannelForm, form_problems
from portal.models import Capability, TeamChannel
from portal.services.channels import channel_add, channel_remove, channel_test


@login_required
@require_POST
def channel_add_view(request: SignedInRequest, team_id: int) -> HttpResponse:
    team = get_team_for_user(request, team_id, capability=Capability.MANAGE)
    form = ChannelForm(request.POST)
    if form.is_valid():
        try:
            channel = channel_add(team=team, actor=request.user, kind=form.cleaned_data["kind"],
                                  address=form.cleaned_data["address"], events=form.cleaned_data["events"])  # fmt: skip
        except ValidationError as error:
            messages.error(request, "Channel not added: " + " ".join(error.messages))
        else:
            messages.success(request, f"Added the {channel.get_kind_display()} channel at {channel.host}. "
                             "Send it a test to check it receives.")  # fmt: skip
    else:
        messages.error(request, f"Channel not added: {form_problems(form)}")
    return redirect(f"{reverse('teams:connections', args=[team_id])}#channels")


@login_required
@require_POST
def channel_test_view(request: SignedInRequest, team_id: int, channel_id: int) -> HttpResponse:
    team = get_team_for_user(request, team_id, capability=Capability.MANAGE)
    channel = get_object_or_404(TeamChannel, pk=channel_id, team=team)
    channel_test(channel=channel)
    messages.success(request, f"A test is on its way to {channel.host}; its result shows here.")
    return redirect(f"{reverse('teams:connections', args=[team_id])}#channels")


@login_required
@require_POST
def channel_remove_view(request: SignedInRequest, team_id: int, channel_id: int) -> HttpResponse:
    team = get_team_for_user(request, team_id, capability=Capability.MANAGE)
    channel = get_object_or_404(TeamChannel, pk=channel_id, team=team)
    channel_remove(channel=channel, actor=request.user)
    messages.success(request, "Channel removed.")
    return redirect(f"{reverse('teams:connections', args=[team_id])}#channels")
