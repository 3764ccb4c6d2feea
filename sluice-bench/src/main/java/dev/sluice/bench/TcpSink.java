package dev.sluice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP server on loopback that reads and discards everything, one thread per connection: the far
 * end of the bulk-egress benchmark. {@code java -cp benchmarks.jar dev.sluice.bench.TcpSink PORT}
 */
public final class TcpSink {

  private TcpSink() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    try (ServerSocket server = new ServerSocket(port, 128, InetAddress.getLoopbackAddress())) {
      System.out.println("sink listening on " + server.getLocalSocketAddress());
      System.out.flush();
      while (true) {
        Socket s = server.accept();
        Thread t = new Thread(() -> drain(s), "sink");
        t.setDaemon(true);
        t.start();
      }
    }
  }

  private static void drain(Socket s) {
    byte[] buf = new byte[1 << 16];
    try (s;
        InputStream in = s.getInputStream()) {
      while (in.read(buf) >= 0) {
        // discard
      }
    } catch (IOException e) {
      // the client went away
    }
  }
}
