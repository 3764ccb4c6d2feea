package dev.sluice.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's static files, served from the jar ({@code dev/sluice/admin/dashboard/}): {@code
 * GET /} is {@code index.html}, {@code GET /dashboard/app.js} and {@code /dashboard/app.css} the
 * rest. No build step, nothing from another host. The page needs no token; the JSON it reads does
 * ({@code docs/dashboard.md}).
 *
 * <p>Every file goes out with a Content-Security-Policy that allows scripts, styles and requests to
 * this origin only and no inline script, so even a value that slipped past the page's escaping (it
 * writes text nodes only) could not run; and with {@code nosniff}, {@code no-referrer} and no
 * framing. The files are read once, when the server starts; a missing one fails the start.
 */
final class DashboardFiles {

  /** Where the files are in the jar. */
  static final String RESOURCES = "/dev/sluice/admin/dashboard/";

  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
          + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private record File(String contentType, byte[] body) {}

  private final Map<String, File> files = new LinkedHashMap<>();

  DashboardFiles() {
    add("/", "index.html", "text/html; charset=utf-8");
    add("/dashboard/app.js", "app.js", "text/javascript; charset=utf-8");
    add("/dashboard/app.css", "app.css", "text/css; charset=utf-8");
  }

  private void add(String path, String name, String contentType) {
    try (InputStream in = DashboardFiles.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("the jar has no " + RESOURCES + name);
      }
      files.put(path, new File(contentType, in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCES + name, e);
    }
  }

  /** The paths served, for the router. */
  Iterable<String> paths() {
    return files.keySet();
  }

  void serve(AdminExchange ex) throws IOException {
    File f = files.get(ex.path());
    if (f == null) {
      throw new ApiError(404, "not_found", "no such endpoint: " + ex.path());
    }
    ex.responseHeaders()
        .set("Content-Security-Policy", CSP)
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer")
        .set("X-Frame-Options", "DENY");
    Replies.send(ex, 200, f.contentType(), f.body());
  }
}
