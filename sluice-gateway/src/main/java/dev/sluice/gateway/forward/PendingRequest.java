package dev.sluice.gateway.forward;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.transfer.MaxTransfer;
import io.netty.handler.codec.http.HttpRequest;

/**
 * A request of a forward connection being admitted ({@link ForwardHandler}), with what the client
 * asked for before its head was rewritten: to keep the connection open, and an interim 100
 * Continue; and its largest single transfer ({@code transferLimit}: the zone's, or an approved
 * one).
 */
record PendingRequest(
    HttpRequest request,
    RequestTarget target,
    EscrowAccount account,
    boolean keepAlive,
    boolean expectContinue,
    MaxTransfer transferLimit) {}
