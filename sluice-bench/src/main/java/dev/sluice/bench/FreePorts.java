package dev.sluice.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints {@code N} distinct free TCP ports on loopback, one a line: for configuring servers that
 * cannot bind port 0 and report it (nginx, HAProxy). All {@code N} are held open at once so that
 * they differ, then released. {@code java -cp benchmarks.jar dev.sluice.bench.FreePorts N}
 */
public final class FreePorts {

  private FreePorts() {}

  public static void main(String[] args) throws IOException {
    int n = Integer.parseInt(args[0]);
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      for (ServerSocket s : held) {
        System.out.println(s.getLocalPort());
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }
}
