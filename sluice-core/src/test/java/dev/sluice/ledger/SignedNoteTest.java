package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** Known answers from the documentation of Go's golang.org/x/mod/sumdb/note. */
class SignedNoteTest {

  static final String SKEY =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  static final String VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  static final String TEXT =
      "If you think cryptography is the answer to your problem,\n"
          + "then you don't know what your problem is.\n";
  static final String SIGNED =
      TEXT
          + "\n"
          + "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

  @Test
  void signsExactlyLikeGo() throws Exception {
    NoteSigner signer = NoteSigner.parse(SKEY);
    assertThat(signer.encode()).isEqualTo(SKEY);
    assertThat(signer.verifier().encode()).isEqualTo(VKEY);
    assertThat(signer.verifier().keyId()).isEqualTo(0xc74f20a3);
    assertThat(signer.sign(TEXT)).isEqualTo(SIGNED);
    assertThat(signer.toString()).doesNotContain("AYEKF");
  }

  @Test
  void verifiesGoSignatures() throws Exception {
    assertThat(NoteVerifier.parse(VKEY).open(SIGNED)).isEqualTo(TEXT);
  }

  @Test
  void rejectsTamperedNotes() throws Exception {
    NoteVerifier v = NoteVerifier.parse(VKEY);
    assertThatThrownBy(() -> v.open(SIGNED.replace("problem is", "problem was")))
        .isInstanceOf(InvalidNoteException.class)
        .hasMessageContaining("invalid signature");
    assertThatThrownBy(() -> v.open(SIGNED.replace("x08go", "x08gp")))
        .hasMessageContaining("not signed by key");
    assertThatThrownBy(() -> v.open(SIGNED.replace("\u2014", "-"))).hasMessageContaining("em dash");
    assertThatThrownBy(() -> v.open(TEXT)).isInstanceOf(InvalidNoteException.class);
    assertThatThrownBy(() -> v.open(SIGNED.replace("is the", "is\tthe")))
        .hasMessageContaining("control character");
  }

  @Test
  void ignoresSignaturesByOtherKeys() throws Exception {
    NoteSigner other = NoteSigner.generate("EnochRoot", new SecureRandom());
    String twice = SIGNED + other.sign(TEXT).substring(TEXT.length() + 1);
    assertThat(NoteVerifier.parse(VKEY).open(twice)).isEqualTo(TEXT);
    assertThat(other.verifier().open(twice)).isEqualTo(TEXT);
    assertThat(SignedNote.parse(twice).signatures()).hasSize(2);
  }

  @Test
  void keyTextsAreCanonical() {
    assertThatThrownBy(() -> NoteVerifier.parse(VKEY.replace("c74f20a3", "C74F20A3")))
        .hasMessageContaining("does not match");
    assertThatThrownBy(() -> NoteVerifier.parse(VKEY.replace("c74f20a3", "c74f20a4")))
        .hasMessageContaining("does not match");
    assertThatThrownBy(() -> NoteVerifier.parse(VKEY.replace("ARpc", "AhTc")))
        .isInstanceOf(InvalidNoteException.class);
    assertThatThrownBy(() -> NoteVerifier.parse(VKEY + "\n"))
        .isInstanceOf(InvalidNoteException.class);
    assertThatThrownBy(() -> NoteSigner.parse(SKEY.replace("PeterNeumann", "Peter")))
        .hasMessageContaining("does not match");
    assertThatThrownBy(() -> NoteSigner.generate("a b", new SecureRandom()))
        .hasMessageContaining("spaces");
  }

  @Test
  void checkpointsRoundTripAndRejectForeignOrigins() throws Exception {
    NoteSigner signer = NoteSigner.fromSeed("sluice.example/site", new byte[32]);
    Hash root = MerkleTree.leafHash(new byte[] {1});
    Checkpoint c = Checkpoint.sign(signer, 42, root, 1_795_000_000_123L);
    assertThat(c.note())
        .startsWith(
            "sluice.example/site\n42\n"
                + root.base64()
                + "\ntime 2026-11-18T11:06:40.123Z\n\n\u2014 sluice.example/site ");
    Checkpoint back = Checkpoint.open(c.note(), signer.verifier());
    assertThat(back).isEqualTo(c);
    NoteSigner other = NoteSigner.fromSeed("other", new byte[32]);
    assertThatThrownBy(() -> Checkpoint.open(c.note(), other.verifier()))
        .hasMessageContaining("not signed by key other");
    String text = "other\n042\n" + root.base64() + "\ntime 2026-11-18T11:06:40.123Z\n";
    assertThatThrownBy(() -> Checkpoint.open(other.sign(text), other.verifier()))
        .hasMessageContaining("canonical decimal");
  }
}
