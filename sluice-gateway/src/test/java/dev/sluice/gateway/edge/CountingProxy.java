package dev.sluice.gateway.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on loopback between edge and gateway that counts every byte the gateway writes on the
 * link (what the budgets must have been charged, exactly) and the connections it carried.
 */
final class CountingProxy implements AutoCloseable {

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final AtomicLong fromTarget = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final List<Socket> open = new ArrayList<>();
  private volatile boolean closed;

  private CountingProxy(ServerSocket server, InetSocketAddress target) {
    this.server = server;
    this.target = target;
  }

  static CountingProxy start(InetSocketAddress target) throws IOException {
    CountingProxy p =
        new CountingProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), target);
    Thread t = new Thread(p::accept, "counting-proxy");
    t.setDaemon(true);
    t.start();
    return p;
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
  }

  /** Bytes the gateway wrote on every link so far. */
  long bytesFromTarget() {
    return fromTarget.get();
  }

  long connections() {
    return connections.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket in = server.accept();
        Socket out = new Socket(target.getAddress(), target.getPort());
        in.setTcpNoDelay(true);
        out.setTcpNoDelay(true);
        synchronized (open) {
          open.add(in);
          open.add(out);
        }
        connections.incrementAndGet();
        pump(in, out, null);
        pump(out, in, fromTarget);
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void pump(Socket from, Socket to, AtomicLong count) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16384];
              try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                  if (count != null) {
                    count.addAndGet(n);
                  }
                  out.write(buf, 0, n);
                  out.flush();
                }
                to.shutdownOutput();
              } catch (IOException e) {
                try {
                  to.close();
                } catch (IOException ignored) {
                  // closing both ends
                }
              }
            },
            "counting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    synchronized (open) {
      for (Socket s : open) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing
        }
      }
    }
  }
}
