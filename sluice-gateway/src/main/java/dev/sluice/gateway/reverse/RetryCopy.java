package dev.sluice.gateway.reverse;

import io.netty.handler.codec.http.FullHttpRequest;

/**
 * The copy of a request sent on a pooled upstream connection, kept so that it can be sent once more
 * on a fresh connection if the pooled one (which the upstream may have closed a moment ago) fails
 * before any response. Only a request the upstream cannot have acted on is sent twice: the copy of
 * a non-idempotent request is dropped as soon as it was written.
 */
final class RetryCopy {

  private FullHttpRequest copy;

  /** Keeps a copy of {@code req}, about to be sent on a pooled connection. */
  void keep(FullHttpRequest req) {
    copy = req.retainedDuplicate();
  }

  /** The request was written: the upstream may have acted on it unless it is idempotent. */
  void sent() {
    if (copy != null && !UpstreamMessages.idempotent(copy.method())) {
      drop();
    }
  }

  /** The copy to send again (the caller owns it), or null. */
  FullHttpRequest take() {
    FullHttpRequest c = copy;
    copy = null;
    return c;
  }

  void drop() {
    if (copy != null) {
      copy.release();
      copy = null;
    }
  }
}
