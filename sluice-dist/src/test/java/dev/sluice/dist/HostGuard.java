package dev.sluice.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What {@link DebPackageIT} may touch on the real machine it installs into. The test refuses to run
 * (a skipped test with the reason) when a {@code sluice} package it did not build is installed, or
 * when a user {@code sluice} or a {@code /var/lib/sluice} exists without any package: it would take
 * them over and then delete them. A package left by an earlier run of this test (its jar has the
 * bytes of the jar this build packaged) is purged first, with its data directory.
 */
final class HostGuard {

  static final Path JAR = Path.of("/usr/share/sluice/sluice.jar");
  static final Path DATA = Path.of("/var/lib/sluice");

  private final Run run;

  HostGuard(Run run) {
    this.run = run;
  }

  /** Empty when the machine is ours to use; else why not. Purges a leftover of this test. */
  Optional<String> claim(Path builtJar) throws IOException, InterruptedException {
    String status = packageStatus();
    if (!status.isEmpty() && !status.equals("not-installed")) {
      if (!Files.isRegularFile(JAR) || !sha256(JAR).equals(sha256(builtJar))) {
        return Optional.of(
            "a sluice package not built by this test is on this machine (dpkg status "
                + status
                + "); it is left alone: purge it (dpkg --purge sluice) to run this test");
      }
      Run.Result purge = run.exec("dpkg", "--purge", "sluice");
      if (!purge.ok()) {
        return Optional.of(
            "cannot purge the sluice package an earlier run left: " + purge.describe());
      }
      deleteTree(DATA);
    }
    if (userExists()) {
      return Optional.of("a user sluice exists but no sluice package: refusing to take it over");
    }
    if (Files.exists(DATA)) {
      return Optional.of(DATA + " exists but no sluice package: refusing to take it over");
    }
    return Optional.empty();
  }

  /** dpkg's status of the package sluice ("installed", "config-files", ...), "" if unknown. */
  String packageStatus() throws IOException, InterruptedException {
    Run.Result r = run.exec("dpkg-query", "-W", "-f=${db:Status-Status}", "sluice");
    return r.ok() ? r.out().trim() : "";
  }

  boolean userExists() throws IOException, InterruptedException {
    return run.exec("getent", "passwd", "sluice").ok();
  }

  /** Puts the machine back as {@link #claim} found it: no package, user, data or runtime dirs. */
  void release(Path... runtimeDirs) throws IOException, InterruptedException {
    String status = packageStatus();
    if (!status.isEmpty() && !status.equals("not-installed")) {
      run.exec("dpkg", "--purge", "sluice");
    }
    if (userExists()) {
      run.exec("userdel", "sluice");
    }
    if (run.exec("getent", "group", "sluice").ok()) {
      run.exec("groupdel", "sluice");
    }
    deleteTree(DATA);
    for (Path p : runtimeDirs) {
      deleteTree(p);
    }
  }

  private void deleteTree(Path p) throws IOException, InterruptedException {
    if (Files.exists(p)) {
      run.exec("rm", "-rf", "--one-file-system", p.toString());
    }
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is in every JDK", e);
    }
  }
}
