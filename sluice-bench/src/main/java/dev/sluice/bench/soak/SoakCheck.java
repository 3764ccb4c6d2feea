package dev.sluice.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures {@code bench/soak.sh} checks its invariants on, and a probe of the clock it steps.
 *
 * <pre>
 * java -cp benchmarks.jar dev.sluice.bench.soak.SoakCheck budgets BUDGETS_JSON ZONE TALLY...
 * java -cp benchmarks.jar dev.sluice.bench.soak.SoakCheck clock
 * </pre>
 *
 * {@code budgets}: for every tenant of ZONE in a {@code GET /api/budgets} body, one line {@code
 * TENANT<TAB>DELIVERED<TAB>DAY_CAP<TAB>DAY_SPENT<TAB>DAY_SENT}: DELIVERED is the sum over the TALLY
 * files ({@link Tally}); then one line {@code (other)<TAB>KEY<TAB>BYTES} per tally key that is no
 * tenant of the zone (the gateway's own answers). {@code clock}: {@code Clock.system().millis()}
 * and {@code nanos()} on one line, to show that libfaketime moves the clock Sluice reads.
 */
public final class SoakCheck {
  private SoakCheck() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 1 && args[0].equals("clock")) {
      Clock c = Clock.system();
      System.out.println(c.millis() + " " + c.nanos());
      return;
    }
    if (args.length < 3 || !args[0].equals("budgets")) {
      throw new IllegalArgumentException("usage: SoakCheck budgets JSON ZONE TALLY... | clock");
    }
    JsonNode root = new ObjectMapper().readTree(Files.readString(Path.of(args[1])));
    String prefix = "tenant:" + args[2] + "/";
    Map<String, Long> delivered = new TreeMap<>();
    for (int i = 3; i < args.length; i++) {
      Path p = Path.of(args[i]);
      if (!Files.exists(p)) {
        continue;
      }
      for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
        String[] f = line.split("\t");
        if (f.length == 2) {
          delivered.merge(f[0], Long.parseLong(f[1]), Math::addExact);
        }
      }
    }
    StringBuilder out = new StringBuilder();
    for (JsonNode node : root.path("nodes")) {
      String id = node.path("id").asText();
      if (!id.startsWith(prefix)) {
        continue;
      }
      String tenant = id.substring(prefix.length());
      for (JsonNode limit : node.path("limits")) {
        if (limit.path("window").asText().equals("day")) {
          out.append(tenant)
              .append('\t')
              .append(delivered.getOrDefault(tenant, 0L))
              .append('\t')
              .append(limit.path("cap").asLong())
              .append('\t')
              .append(limit.path("spent").asLong())
              .append('\t')
              .append(limit.path("sent").asLong())
              .append('\n');
        }
      }
      delivered.remove(tenant);
    }
    delivered.forEach(
        (k, v) -> out.append("(other)\t").append(k).append('\t').append(v).append('\n'));
    System.out.print(out);
  }
}
