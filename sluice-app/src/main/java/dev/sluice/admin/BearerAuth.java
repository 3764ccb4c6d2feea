package dev.sluice.admin;

import java.util.Locale;

/**
 * Checks {@code Authorization: Bearer <token>} against the {@link AdminToken}: no credentials (or
 * another scheme) is 401, a wrong token 403. The comparison is constant-time.
 */
final class BearerAuth {

  private static final String SCHEME = "bearer ";

  private final AdminToken token;

  BearerAuth(AdminToken token) {
    this.token = token;
  }

  /** Returns normally when the request carries the token; throws the 401 or 403 otherwise. */
  void require(AdminExchange ex) {
    String header = ex.header("Authorization");
    if (header == null
        || header.length() <= SCHEME.length()
        || !header.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
      throw new ApiError(
          401,
          "unauthorized",
          "send Authorization: Bearer <token>; the token is in " + token.file());
    }
    if (!token.matches(header.substring(SCHEME.length()).strip())) {
      throw new ApiError(
          403, "forbidden", "wrong admin token (a new one is written at every start)");
    }
  }
}
