package dev.sluice.budget;

/** The levels of the budget tree, from the root down. */
public enum NodeKind {
  SITE,
  ZONE,
  TENANT,
  DESTINATION,
  /** The site's control allowance, which pays for denial responses; not under the site. */
  CONTROL
}
