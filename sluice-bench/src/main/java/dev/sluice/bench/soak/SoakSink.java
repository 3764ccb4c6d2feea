package dev.sluice.bench.soak;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;

/**
 * The raw TCP destination of CONNECT tunnels and tcp listeners, on 127.0.0.1. A connection's first
 * line names the tenant ({@code TENANT\n}); every byte received, that line included, counts as that
 * tenant's egress in the tally as it arrives. It closes at end of stream.
 */
final class SoakSink extends SoakServer {
  SoakSink(int port, Tally delivered, ExecutorService pool) throws IOException {
    super(port, delivered, pool);
  }

  @Override
  void serve(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    byte[] line = Wire.readLine(in);
    if (line.length == 0 || line[line.length - 1] != '\n') {
      delivered.add("(sink: no tenant line)", line.length);
      return;
    }
    String tenant = new String(line, 0, line.length - 1, StandardCharsets.US_ASCII).trim();
    delivered.add(tenant, line.length);
    Wire.drain(in, n -> delivered.add(tenant, n)); // cut or not, what arrived is counted
  }
}
