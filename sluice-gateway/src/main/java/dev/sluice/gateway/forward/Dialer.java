package dev.sluice.gateway.forward;

import dev.sluice.gateway.evidence.LogValue;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a request that passed {@link Intake} and the shared admission stage ({@link
 * dev.sluice.gateway.admission.Admission}: halt, escrow) to a connected destination, asynchronously
 * and never blocking the event loop:
 *
 * <ol>
 *   <li>resolution of the name through the {@link LookupGate}: from its cache, or paid for (the
 *       lookup is egress) and then looked up on the lookup executor;
 *   <li>every resolved address is checked against the deny ranges; one denied address refuses the
 *       destination, so DNS cannot offer a good address to the check and a bad one to the
 *       connection;
 *   <li>a connection to the checked addresses in order (never to the name again), on the client's
 *       event loop, with the pipeline the caller gives.
 * </ol>
 *
 * Each step continues on the client's event loop and stops quietly if the client has gone. An
 * existing destination connection (keep-alive) skips resolution and connection. Stateless, shared
 * by the connections of one listener.
 */
final class Dialer {

  private static final Logger log = LoggerFactory.getLogger(Dialer.class);

  /** What became of a dial; called on the client's event loop. */
  interface Outcome {
    /** Connected (or reused) destination channel; its pipeline is the one given. */
    void admitted(Channel destination);

    /** Refused by policy or failed (resolution, connection). */
    void refuse(Reason reason, String detail);

    /** The lookup was refused before it was sent (its limit, its budget); nothing is recorded. */
    void refused(Refusal refusal);
  }

  private final ListenerContext lc;
  private final LookupGate lookups;
  private final DenyRanges denyRanges;

  Dialer(ListenerContext lc, LookupGate lookups, DenyRanges denyRanges) {
    this.lc = lc;
    this.lookups = lookups;
    this.denyRanges = denyRanges;
  }

  /**
   * Connects a request for {@code target}, or reuses {@code reuse}.
   *
   * @param client the inside client's channel (its event loop runs every step)
   * @param payer who pays for the lookup of the name, if one is sent
   * @param reuse an open destination channel to the same host and port, or null
   * @param pipeline the handler that sets up a new destination channel's pipeline
   */
  void dial(
      Channel client,
      RequestTarget target,
      LookupGate.Charge payer,
      Channel reuse,
      ChannelHandler pipeline,
      Outcome out) {
    if (reuse != null && reuse.isActive()) {
      out.admitted(reuse);
      return;
    }
    lookups.resolve(
        client,
        payer,
        target.host(),
        new LookupGate.Resolved() {
          @Override
          public void addresses(List<InetAddress> addresses) {
            String denied = denyRanges.firstDenied(addresses);
            if (denied != null) {
              out.refuse(
                  Reason.DESTINATION_DENIED_ADDRESS, target.host() + " resolves to " + denied);
              return;
            }
            connect(client, addresses, 0, target, pipeline, out);
          }

          @Override
          public void failed(Throwable error) {
            out.refuse(Reason.DESTINATION_UNRESOLVABLE, target.host() + ": " + rootMessage(error));
          }

          @Override
          public void refused(Refusal refusal) {
            out.refused(refusal);
          }
        });
  }

  private void connect(
      Channel client,
      List<InetAddress> addresses,
      int i,
      RequestTarget target,
      ChannelHandler pipeline,
      Outcome out) {
    InetSocketAddress to = new InetSocketAddress(addresses.get(i), target.port());
    new Bootstrap()
        .group(client.eventLoop())
        .option(ChannelOption.SO_RCVBUF, Transport.RECEIVE_BUFFER)
        .option(ChannelOption.RECVBUF_ALLOCATOR, Transport.readSizes())
        .channel(lc.transport().socketChannel())
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(
            ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, lc.config().limits().upstreamConnect().toMillis()))
        .handler(pipeline)
        .connect(to)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!client.isActive()) {
                    f.channel().close();
                  } else if (f.isSuccess()) {
                    out.admitted(f.channel());
                  } else if (i + 1 < addresses.size()) {
                    log.debug(
                        "{} refused a connection: {}",
                        LogValue.of(to),
                        LogValue.of(f.cause().toString()));
                    connect(client, addresses, i + 1, target, pipeline, out);
                  } else if (f.cause() instanceof ConnectTimeoutException) {
                    out.refuse(
                        Reason.UPSTREAM_CONNECT_TIMEOUT,
                        target.authority() + ": no answer within " + limitText());
                  } else {
                    out.refuse(
                        Reason.DESTINATION_UNREACHABLE,
                        target.authority() + ": " + rootMessage(f.cause()));
                  }
                });
  }

  private String limitText() {
    return lc.config().limits().upstreamConnect().toString();
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
