package dev.sluice.gateway.forward;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The most bytes one lookup of a name may put on the wire through the system's stub resolver (the
 * JDK's {@code InetAddress.getAllByName}, which calls the C library's {@code getaddrinfo}), so that
 * the lookup is charged before it is sent. Conservative: every query the resolver may send is
 * counted as sent, at its largest size, over IPv6.
 *
 * <p>The formula, for a host {@code h} (a canonical name: no trailing dot):
 *
 * <pre>
 *   candidates  C = { h } + { h "." s : s in the search list }
 *               (glibc tries the name as written and with every search suffix; ndots only
 *               changes the order, so every candidate is counted)
 *   wire(c)     = length(c) + 2            (each label's length octet plus the root's: the
 *                                           name's size in a DNS message)
 *   msg(c)      = 12 + wire(c) + 4 + 11    (header, question name, type and class, EDNS OPT)
 *   udp(c)      = 40 + 8 + msg(c)          (IPv6 header, UDP header, message)
 *   tcp(c)      = 2 + msg(c) + 5 * (40 + 60)
 *               (the retry over TCP a truncated answer asks for: the length prefix and the
 *               message, and five segments (SYN, ACK, data, FIN, ACK) of IPv6 header and TCP
 *               header with 40 bytes of options)
 *   tries       = attempts * nameservers   (each attempt asks every nameserver in turn)
 *   bound(h)    = sum over c in C of  2 * tries * (udp(c) + tcp(c))
 *               (2: an A and an AAAA query, getaddrinfo with AF_UNSPEC)
 * </pre>
 *
 * <p>From {@code resolv.conf}: {@code nameservers} is the number of {@code nameserver} lines, at
 * most glibc's MAXNS (3), and 1 (the local host) when there are none; {@code attempts} is {@code
 * options attempts:n}, default 2 and at most RES_MAXRETRY (5); the search list is the last {@code
 * search} or {@code domain} line. Without either line glibc searches the local domain taken from
 * the host name, which Sluice does not know: one suffix of the longest length a name may have is
 * counted then ({@code wire} 255). The environment variables {@code LOCALDOMAIN} (the search list)
 * and {@code RES_OPTIONS} (options) override the file, as they do for the C library.
 *
 * <p>What this does not bound is in docs/dns.md: the queries the site's recursive resolver then
 * sends outside for each of these, and name services other than DNS in {@code nsswitch.conf}.
 * Immutable.
 */
public final class LookupBound {

  static final int MAXNS = 3;
  static final int DEFAULT_ATTEMPTS = 2;
  static final int MAX_ATTEMPTS = 5;
  static final int MAX_WIRE = 255;
  static final int QUERY_TYPES = 2;

  private static final int DNS_HEADER = 12;
  private static final int QUESTION_TAIL = 4;
  private static final int EDNS_OPT = 11;
  private static final int IP_HEADER = 40;
  private static final int UDP_HEADER = 8;
  private static final int TCP_LENGTH_PREFIX = 2;
  private static final int TCP_SEGMENTS = 5;
  private static final int TCP_HEADER = 60;

  /**
   * glibc's most: three nameservers, five attempts, and an unknown local domain. For a resolver
   * that does not say what it sends.
   */
  public static final LookupBound DEFAULT = new LookupBound(MAXNS, MAX_ATTEMPTS, null);

  private final int nameservers;
  private final int attempts;

  /** The search suffixes; null: unknown (one suffix of the longest length is counted). */
  private final List<String> search;

  /**
   * @param search the search suffixes (without leading or trailing dots), or null when unknown
   */
  public LookupBound(int nameservers, int attempts, List<String> search) {
    if (nameservers < 1 || nameservers > MAXNS || attempts < 1 || attempts > MAX_ATTEMPTS) {
      throw new IllegalArgumentException(
          "nameservers must be 1.." + MAXNS + " and attempts 1.." + MAX_ATTEMPTS);
    }
    this.nameservers = nameservers;
    this.attempts = attempts;
    this.search = search == null ? null : List.copyOf(search);
  }

  /** The bound for the system resolver as {@code resolvConf} and {@code env} configure it. */
  public static LookupBound read(Path resolvConf, Map<String, String> env) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(resolvConf, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      lines = List.of();
    }
    int ns = 0;
    int attempts = DEFAULT_ATTEMPTS;
    List<String> search = null;
    for (String raw : lines) {
      String[] w = words(raw);
      if (w.length == 0) {
        continue;
      }
      switch (w[0]) {
        case "nameserver" -> ns++;
        case "domain" -> search = w.length > 1 ? List.of(trimDots(w[1])) : List.of();
        case "search" -> search = suffixes(w, 1);
        case "options" -> attempts = attempts(w, 1, attempts);
        default -> {}
      }
    }
    String local = env.get("LOCALDOMAIN");
    if (local != null) {
      search = suffixes(words(local), 0);
    }
    String options = env.get("RES_OPTIONS");
    if (options != null) {
      attempts = attempts(words(options), 0, attempts);
    }
    return new LookupBound(Math.max(1, Math.min(ns, MAXNS)), attempts, search);
  }

  /** The most bytes a lookup of {@code host} may send; see the class comment for the formula. */
  public long bytes(String host) {
    long perTry = perTry(wire(host));
    if (search == null) {
      perTry = Math.addExact(perTry, perTry(MAX_WIRE));
    } else {
      for (String s : search) {
        perTry = Math.addExact(perTry, perTry(Math.addExact(wire(host), s.length() + 1)));
      }
    }
    return Math.multiplyExact(perTry, (long) QUERY_TYPES * attempts * nameservers);
  }

  int nameservers() {
    return nameservers;
  }

  int attempts() {
    return attempts;
  }

  /** The search suffixes, or null when unknown. */
  List<String> search() {
    return search;
  }

  private static long wire(String name) {
    return name.length() + 2L;
  }

  /** {@code udp(c) + tcp(c)} for a candidate of {@code wire} octets. */
  private static long perTry(long wire) {
    long msg = DNS_HEADER + wire + QUESTION_TAIL + EDNS_OPT;
    long udp = IP_HEADER + UDP_HEADER + msg;
    long tcp = TCP_LENGTH_PREFIX + msg + TCP_SEGMENTS * (IP_HEADER + TCP_HEADER);
    return Math.addExact(udp, tcp);
  }

  private static String[] words(String line) {
    String s = line;
    int comment = indexOfComment(s);
    if (comment >= 0) {
      s = s.substring(0, comment);
    }
    s = s.strip();
    return s.isEmpty() ? new String[0] : s.split("[ \t]+");
  }

  private static int indexOfComment(String s) {
    int hash = s.indexOf('#');
    int semi = s.indexOf(';');
    if (hash < 0) {
      return semi;
    }
    return semi < 0 ? hash : Math.min(hash, semi);
  }

  private static List<String> suffixes(String[] w, int from) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < w.length; i++) {
      String s = trimDots(w[i]);
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  private static String trimDots(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && s.charAt(a) == '.') {
      a++;
    }
    while (b > a && s.charAt(b - 1) == '.') {
      b--;
    }
    return s.substring(a, b);
  }

  private static int attempts(String[] w, int from, int current) {
    int attempts = current;
    for (int i = from; i < w.length; i++) {
      if (w[i].startsWith("attempts:")) {
        try {
          int n = Integer.parseInt(w[i].substring("attempts:".length()));
          attempts = Math.max(1, Math.min(n, MAX_ATTEMPTS));
        } catch (NumberFormatException e) {
          // glibc ignores an option it cannot read; so does the bound (the current value stays)
        }
      }
    }
    return attempts;
  }

  @Override
  public String toString() {
    return "LookupBound[nameservers="
        + nameservers
        + " attempts="
        + attempts
        + " search="
        + (search == null ? "unknown" : search)
        + "]";
  }
}
