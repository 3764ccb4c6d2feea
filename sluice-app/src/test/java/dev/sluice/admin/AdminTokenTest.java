package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {

  @TempDir Path dataDir;

  /** A seeded, deterministic source: the test is about the file, not the randomness. */
  @SuppressWarnings("serial")
  static final class SeededRandom extends SecureRandom {
    private final Random random;

    SeededRandom(long seed) {
      this.random = new Random(seed);
    }

    @Override
    public void nextBytes(byte[] bytes) {
      random.nextBytes(bytes);
    }
  }

  @Test
  void theTokenIs64HexDigitsInAFileOnlyTheOwnerCanRead() throws IOException {
    AdminToken t = AdminToken.create(dataDir.resolve("sub"), new SeededRandom(1));
    Path file = dataDir.resolve("sub").resolve("admin.token");
    assertThat(t.file()).isEqualTo(file);
    String text = Files.readString(file);
    assertThat(text).matches("[0-9a-f]{64}\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(AdminToken.read(file)).isEqualTo(text.strip());
    assertThat(t.matches(text.strip())).isTrue();
    assertThat(t.toString()).doesNotContain(text.strip());
    // No temporary file is left behind.
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void aNewStartReplacesTheOldTokenWhichStopsMatching() throws IOException {
    AdminToken first = AdminToken.create(dataDir, new SeededRandom(1));
    String firstText = AdminToken.read(first.file());
    AdminToken second = AdminToken.create(dataDir, new SeededRandom(2));
    String secondText = AdminToken.read(second.file());
    assertThat(secondText).isNotEqualTo(firstText);
    assertThat(second.matches(firstText)).isFalse();
    assertThat(second.matches(secondText)).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(second.file())))
        .isEqualTo("rw-------");
  }

  @Test
  void wrongShortAndMissingTokensDoNotMatch() throws IOException {
    AdminToken t = AdminToken.create(dataDir, new SeededRandom(3));
    String good = AdminToken.read(t.file());
    assertThat(t.matches(null)).isFalse();
    assertThat(t.matches("")).isFalse();
    assertThat(t.matches(good.substring(1))).isFalse();
    assertThat(t.matches(good + "0")).isFalse();
    assertThat(t.matches(good.toUpperCase(java.util.Locale.ROOT))).isFalse();
  }
}
