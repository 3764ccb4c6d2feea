package dev.sluice.config;

import java.util.regex.Pattern;

/**
 * The spelling rules for names. Site, zone and tenant names become budget node ids ({@code site},
 * {@code zone:Z}, {@code tenant:Z/T}, {@code dest:Z/PATTERN}), which is why {@code :} and {@code /}
 * are forbidden. Each check returns its argument or throws {@link IllegalArgumentException} with a
 * message fit for an operator; records and readers share them, so there is one rule per name.
 */
final class Names {

  /** Longest site, zone, tenant or listener name. */
  static final int MAX_LENGTH = 64;

  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
  private static final Pattern LISTENER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
  private static final Pattern HEADER_TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private Names() {}

  /** Checks a site, zone or tenant name; {@code kind} names it in the message. */
  static String checkNodeName(String kind, String name) {
    checkLength(kind, name);
    if (name.indexOf(':') >= 0 || name.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "invalid "
              + kind
              + " name: ':' and '/' are not allowed (names become node ids such as zone:NAME"
              + " and tenant:ZONE/NAME)");
    }
    if (!NODE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "invalid "
              + kind
              + " name: use letters, digits, '_', '.' and '-', starting with a letter or digit");
    }
    return name;
  }

  /** True when {@code name} passes {@link #checkNodeName}. */
  static boolean isNodeName(String name) {
    try {
      checkNodeName("node", name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Checks a listener name: lower case, as it appears in metrics labels and log lines. */
  static String checkListenerName(String name) {
    checkLength("listener", name);
    if (!LISTENER_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "invalid listener name: use lower-case letters, digits, '_' and '-', starting with a"
              + " letter or digit");
    }
    return name;
  }

  /** Checks an HTTP header field name (an RFC 9110 token). */
  static String checkHeaderName(String name) {
    if (name == null || !HEADER_TOKEN.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)");
    }
    return name;
  }

  private static void checkLength(String kind, String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a " + kind + " name must not be empty");
    }
    if (name.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "invalid "
              + kind
              + " name: "
              + name.length()
              + " characters, at most "
              + MAX_LENGTH
              + " allowed");
    }
  }
}
