package dev.sluice.budget;

/** Builds the node ids used in the API, metrics and the ledger. */
public final class NodeIds {

  /** The id of the root. */
  public static final String SITE = "site";

  /** The id of the control allowance, which pays for denial responses. */
  public static final String CONTROL = "control";

  private NodeIds() {}

  public static String zone(String zone) {
    return "zone:" + zone;
  }

  public static String tenant(String zone, String tenant) {
    return "tenant:" + zone + "/" + tenant;
  }

  public static String destination(String zone, String pattern) {
    return "dest:" + zone + "/" + pattern;
  }
}
