package dev.sluice.app;

import dev.sluice.config.SluiceConfig;
import dev.sluice.ledger.ChangeApproval;
import dev.sluice.ledger.OperatorKeys;
import dev.sluice.transfer.TransferAllowance;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;

/** Two operators (seeded keys) who approve transfers and allow them through a node's admin API. */
final class TransferApprovals {

  final OperatorKeys.Private alice;
  final OperatorKeys.Private bob;
  private final HttpClient http = HttpClient.newHttpClient();

  TransferApprovals() throws Exception {
    SecureRandom seeded = SecureRandom.getInstance("SHA1PRNG");
    seeded.setSeed(23);
    alice = OperatorKeys.generate("alice", seeded);
    bob = OperatorKeys.generate("bob", seeded);
  }

  /** The {@code change_control} section naming both, approvals: 2. */
  String changeControl() {
    return "change_control:\n  operators: { alice: \""
        + alice.publicText()
        + "\", bob: \""
        + bob.publicText()
        + "\" }\n  approvals: 2\n";
  }

  /** {@code key}'s approval of {@code bytes} to {@code destination} for acme of inference. */
  static ChangeApproval approval(
      OperatorKeys.Private key,
      SluiceNode node,
      long bytes,
      String destination,
      long expiresSeconds) {
    return ChangeApproval.sign(
        key,
        ChangeApproval.KIND_TRANSFER,
        node.config().sha256Hex(),
        TransferAllowance.subject("inference", "acme", bytes, destination),
        expiresSeconds);
  }

  /**
   * Alice and Bob approve {@code bytes} to {@code destination} for acme of zone inference, bound to
   * {@code node}'s configuration, until {@code expiresSeconds}; posted to {@code /api/transfers}.
   */
  HttpResponse<String> allow(SluiceNode node, long bytes, String destination, long expiresSeconds)
      throws Exception {
    return post(
        node,
        approval(alice, node, bytes, destination, expiresSeconds).encode()
            + approval(bob, node, bytes, destination, expiresSeconds).encode());
  }

  /** Posts {@code approvals} (approval files concatenated) to {@code node}'s /api/transfers. */
  HttpResponse<String> post(SluiceNode node, String approvals) throws Exception {
    SluiceConfig c = node.config();
    String token = Files.readString(c.dataDir().resolve("admin.token")).strip();
    HttpRequest r =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + node.admin().address().getPort() + "/api/transfers"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "approvals=" + URLEncoder.encode(approvals, StandardCharsets.UTF_8)))
            .timeout(Duration.ofSeconds(10))
            .build();
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }
}
