package dev.sluice.cli;

import dev.sluice.codec.CodecModel;
import dev.sluice.gateway.edge.EdgeServer;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.net.HostPort;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice edge --listen HOST:PORT --gateway HOST:PORT [--model PATH] [--tls --tls-ca FILE
 * --tls-server-name NAME] [--ready-file FILE]}: the decompressing peer outside the boundary.
 * Clients connect here as they would to the gateway; every connection is carried as a stream of one
 * of a few long-lived, multiplexed edge links ({@code --links}, default 1) to a gateway listener
 * with {@code peer: edge}, and the compressed responses are restored byte for byte. SIGTERM: no new
 * clients, GOAWAY on every link, the open streams finish (up to 10 s). Runs until SIGTERM or
 * SIGINT. The model must be the file the gateway loaded ({@code codec.model}); the handshake
 * refuses any other.
 */
@Command(
    name = "edge",
    mixinStandardHelpOptions = true,
    description =
        "Run the edge: accept clients and carry them as streams of long-lived edge links to a"
            + " peer: edge listener, restoring its compressed responses.")
public final class EdgeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--listen",
      required = true,
      paramLabel = "HOST:PORT",
      description = "Where clients connect (port 0: any free port).")
  String listen;

  @Option(
      names = "--gateway",
      required = true,
      paramLabel = "HOST:PORT",
      description = "The gateway listener with peer: edge.")
  String gateway;

  @Option(
      names = "--model",
      paramLabel = "PATH",
      description = "Codec model file, the same the gateway loads (default: the built-in model).")
  Path model;

  @Option(
      names = "--links",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Links to the gateway, each with its own event loop; every client connection is a"
              + " stream of one of them (default: ${DEFAULT-VALUE}; 1..64).")
  int links;

  @Option(names = "--tls", description = "Speak TLS to the gateway (its listener has tls:).")
  boolean tls;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description = "PEM CA certificate(s) the gateway's certificate must chain to (with --tls).")
  Path tlsCa;

  @Option(
      names = "--tls-server-name",
      paramLabel = "NAME",
      description = "Name the gateway's certificate must carry (default: the --gateway host).")
  String tlsServerName;

  @Option(
      names = "--ready-file",
      paramLabel = "FILE",
      description =
          "Once listening, write a JSON file with the pid and the bound address (for supervisors"
              + " and tests using port 0).")
  Path readyFile;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    HostPort listenAt;
    HostPort gatewayAt;
    try {
      listenAt = HostPort.parse(listen);
      gatewayAt = HostPort.parse(gateway);
    } catch (IllegalArgumentException e) {
      err.println("sluice edge: " + e.getMessage());
      return SluiceCli.EXIT_USAGE;
    }
    if (links < 1 || links > 64) {
      err.println("sluice edge: --links must be 1..64, not " + links);
      return SluiceCli.EXIT_USAGE;
    }
    if (!tls && (tlsCa != null || tlsServerName != null)) {
      err.println("sluice edge: --tls-ca and --tls-server-name need --tls");
      return SluiceCli.EXIT_USAGE;
    }
    if (tls && tlsCa == null) {
      err.println("sluice edge: --tls needs --tls-ca FILE (the CA the gateway's certificate uses)");
      return SluiceCli.EXIT_USAGE;
    }
    CodecModel codec;
    try {
      codec = model == null ? CodecModel.builtIn() : CodecModel.read(model);
    } catch (IOException | RuntimeException e) {
      err.println("sluice edge: --model " + model + ": cannot load the codec model: " + e);
      return SluiceCli.EXIT_IO;
    }
    SslContext sslContext = null;
    if (tls) {
      try {
        sslContext = SslContextBuilder.forClient().trustManager(tlsCa.toFile()).build();
      } catch (IOException | RuntimeException e) {
        err.println("sluice edge: --tls-ca " + tlsCa + ": " + e.getMessage());
        return SluiceCli.EXIT_IO;
      }
    }
    String serverName = tlsServerName != null ? tlsServerName : gatewayAt.host();
    EdgeServer server;
    try {
      server =
          EdgeServer.start(
              new InetSocketAddress(listenAt.host(), listenAt.port()),
              new EdgeServer.Upstream(gatewayAt.host(), gatewayAt.port(), sslContext, serverName),
              codec,
              Transport.best(),
              links);
    } catch (RuntimeException e) {
      err.println("sluice edge: cannot listen on " + listenAt + ": " + e.getMessage());
      return SluiceCli.EXIT_IO;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "sluice edge listening on %s, gateway %s%s, %d link%s, codec model %s (id %s)%n",
        RunCommand.hostPort(server.address()),
        gatewayAt,
        tls ? " (TLS, server name " + serverName + ")" : "",
        links,
        links == 1 ? "" : "s",
        codec.source(),
        codec.idHex().substring(0, 16));
    out.flush();
    if (readyFile != null) {
      try {
        ReadyFile.write(readyFile, server.address());
      } catch (IOException e) {
        err.println("sluice edge: cannot write --ready-file " + readyFile + ": " + e.getMessage());
        server.close();
        return SluiceCli.EXIT_IO;
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM/SIGINT close the edge and the process exits 0, as sluice run does.
    Termination.onSignal(
        () -> {
          server.close();
          stopped.countDown();
        });
    stopped.await();
    return 0;
  }
}
