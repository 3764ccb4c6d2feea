package dev.sluice.cluster;

import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The etcd key layout of a site's budget, version 1 (also in {@code docs/formats/etcd-v1.md}).
 * Every key is under {@code {prefix}/v1/}; a later incompatible layout gets {@code v2/} beside it.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>value</th><th>written by</th></tr>
 *   <tr><td>{@code {prefix}/v1/counters/{budgetNode}/{window}/{periodStart}}</td>
 *       <td>decimal ASCII: bytes spent in that period (granted minus returned)</td>
 *       <td>grant and settle transactions of any gateway node</td></tr>
 *   <tr><td>{@code {prefix}/v1/sent/{budgetNode}/{window}/{periodStart}}</td>
 *       <td>decimal ASCII: bytes reported sent by settled and stranded sets (usage reports)</td>
 *       <td>settle and stranded transactions</td></tr>
 *   <tr><td>{@code {prefix}/v1/sets/{gatewayNode}/{setId}}</td>
 *       <td>JSON grant record ({@link SetRecord})</td>
 *       <td>the owning gateway node: put by grants, deleted by settle or at its next start</td></tr>
 *   <tr><td>{@code {prefix}/v1/seq/{gatewayNode}}</td>
 *       <td>decimal ASCII: the last grant id the node issued</td>
 *       <td>the owning node, in every grant transaction</td></tr>
 *   <tr><td>{@code {prefix}/v1/nodes/{gatewayNode}}</td>
 *       <td>JSON {@code {"node_id", "started_at"}} under a lease of TTL {@code grant_ttl}</td>
 *       <td>the owning node at start, kept alive while it runs</td></tr>
 *   <tr><td>{@code {prefix}/v1/fleet/halts/{scope}}</td>
 *       <td>JSON fleet halt {@code {"scope", "reason", "by", "node", "since"}} ({@link
 *       HaltRecords})</td>
 *       <td>the node that takes the halt (only if absent); deleted by the node that lifts it</td></tr>
 *   <tr><td>{@code {prefix}/v1/fleet/transfers/{key}}</td>
 *       <td>an approved transfer, one {@code TransferRecord} line (its approvals included)</td>
 *       <td>the node the transfer was allowed through, under a lease that ends at its expiry</td></tr>
 *   <tr><td>{@code {prefix}/v1/fleet/lifts/{scope}}</td>
 *       <td>JSON last lift {@code {"scope", "reason", "by", "node", "halt_revision"}}</td>
 *       <td>the node that lifts a fleet halt, in the same transaction as the delete</td></tr>
 *   <tr><td>{@code {prefix}/v1/alerts/{alertKey}}</td>
 *       <td>JSON claim {@code {"node", "alert", "at"}}: the gateway node that raises this
 *       fleet-wide alert ({@link EtcdAlertClaims})</td>
 *       <td>the first node to raise it (only if absent), under a lease that ends after the
 *       alert's period</td></tr>
 * </table>
 *
 * <p>{@code {window}} is {@code day}, {@code week}, {@code month} or {@code lifetime}; {@code
 * {periodStart}} is the period's first instant in epoch milliseconds on the site's calendar ({@link
 * WindowCalendar#periodStart}), and {@code 0} for lifetime. {@code {budgetNode}} is a budget node
 * id ({@code site}, {@code tenant:employee/alice}, {@code dest:employee/*.corp.example}) with every
 * byte outside {@code [A-Za-z0-9:._*-]} written as {@code %XX} (UTF-8, upper-case hex), so it is
 * always one key segment. Immutable and thread-safe.
 */
public final class EtcdKeys {

  /** The layout version, the first segment after the prefix. */
  public static final String VERSION = "v1";

  private final String root;

  public EtcdKeys(String prefix) {
    this.root = Objects.requireNonNull(prefix, "prefix") + "/" + VERSION + "/";
  }

  /** {@code {prefix}/v1/}: every key of this layout starts with it. */
  public String root() {
    return root;
  }

  /** The spent counter of one window period of one budget node. */
  public String counter(String budgetNode, Window window, long periodStart) {
    return root
        + "counters/"
        + escape(budgetNode)
        + "/"
        + window.label()
        + "/"
        + period(window, periodStart);
  }

  /** The sent counter of one window period of one budget node. */
  public String sent(String budgetNode, Window window, long periodStart) {
    return root
        + "sent/"
        + escape(budgetNode)
        + "/"
        + window.label()
        + "/"
        + period(window, periodStart);
  }

  /** The grant record of one escrow set of a gateway node. */
  public String set(String gatewayNode, long setId) {
    return setsOf(gatewayNode) + setId;
  }

  /** The prefix of every set record of a gateway node. */
  public String setsOf(String gatewayNode) {
    return root + "sets/" + gatewayNode + "/";
  }

  /** The prefix of every set record of every gateway node. */
  public String sets() {
    return root + "sets/";
  }

  /** The last grant id issued by a gateway node. */
  public String seq(String gatewayNode) {
    return root + "seq/" + gatewayNode;
  }

  /** The liveness key of a gateway node (under a lease). */
  public String liveness(String gatewayNode) {
    return nodes() + gatewayNode;
  }

  /** The prefix of every liveness key. */
  public String nodes() {
    return root + "nodes/";
  }

  /** The prefix of every fleet halt and lift key. */
  public String fleet() {
    return root + "fleet/";
  }

  /** The fleet halt key of a scope ({@code site} or a zone). */
  public String halt(String scope) {
    return fleet() + "halts/" + escape(scope);
  }

  /** The last-lift key of a scope. */
  public String lift(String scope) {
    return fleet() + "lifts/" + escape(scope);
  }

  /** The claim key of a fleet-wide alert ({@link EtcdAlertClaims}), its key escaped. */
  public String alertClaim(String alertKey) {
    return root + "alerts/" + escape(alertKey);
  }

  /** The prefix of every fleet transfer allowance key. */
  public String transfers() {
    return fleet() + "transfers/";
  }

  /** The key of one fleet transfer allowance ({@code TransferRecord#key}: 32 hex digits). */
  public String transfer(String recordKey) {
    return transfers() + escape(recordKey);
  }

  /** The period segment of a key: the period start, {@code 0} for lifetime. */
  static long period(Window window, long periodStart) {
    return window == Window.LIFETIME ? 0 : periodStart;
  }

  /** A budget node id as one key segment; see the class comment. */
  public static String escape(String id) {
    StringBuilder sb = new StringBuilder(id.length() + 8);
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == ':'
          || c == '.'
          || c == '_'
          || c == '*'
          || c == '-') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        sb.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  /** The inverse of {@link #escape}. */
  public static String unescape(String segment) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%') {
        if (i + 2 >= segment.length()) {
          throw new IllegalArgumentException("truncated escape in key segment " + segment);
        }
        int hi = Character.digit(segment.charAt(i + 1), 16);
        int lo = Character.digit(segment.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("bad escape in key segment " + segment);
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
