package dev.sluice.gateway.reverse;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Idle keep-alive connections to the upstreams of one reverse listener, kept per event loop (a
 * client connection only ever takes one of its own loop's, so both stay on one thread) and per
 * upstream. A request borrows a connection for exactly one request/response and gives it back when
 * the response ended cleanly, so new client connections do not pay a TCP connect to the upstream on
 * their first byte. At most {@link #MAX_IDLE} idle connections are kept per loop and upstream; an
 * idle connection that the upstream closes is dropped.
 *
 * <p>Thread-safety: each per-loop part is only touched on its event loop.
 */
final class UpstreamPool {

  /** Idle connections kept per event loop and upstream. */
  static final int MAX_IDLE = 64;

  private final Map<EventLoop, Map<UpstreamTargets.Target, ArrayDeque<Channel>>> idle =
      new ConcurrentHashMap<>();

  /** An idle, open connection to {@code target} on {@code loop}, or null. Call on {@code loop}. */
  Channel acquire(EventLoop loop, UpstreamTargets.Target target) {
    ArrayDeque<Channel> q = queue(loop, target);
    Channel ch;
    while ((ch = q.pollLast()) != null) {
      if (ch.isActive()) {
        return ch;
      }
    }
    return null;
  }

  /** Gives back a connection whose last response ended cleanly; closes it when the pool is full. */
  void release(Channel ch, UpstreamTargets.Target target) {
    ArrayDeque<Channel> q = queue(ch.eventLoop(), target);
    if (!ch.isActive() || q.size() >= MAX_IDLE) {
      ch.close();
      return;
    }
    ch.config().setAutoRead(true); // so a close by the upstream is noticed while idle
    q.addLast(ch);
  }

  /** Forgets a connection that closed while idle. Call on its event loop. */
  void remove(Channel ch, UpstreamTargets.Target target) {
    queue(ch.eventLoop(), target).remove(ch);
  }

  private ArrayDeque<Channel> queue(EventLoop loop, UpstreamTargets.Target target) {
    return idle.computeIfAbsent(loop, l -> new HashMap<>())
        .computeIfAbsent(target, t -> new ArrayDeque<>());
  }
}
