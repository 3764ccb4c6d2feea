package dev.sluice.store;

import dev.sluice.budget.BudgetPath;
import dev.sluice.escrow.Escrow;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.time.ManualClock;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * A child process for {@link StoreCrashTest}: opens a local store on a data dir, charges random
 * amounts through escrow, and prints {@code C <path key> <bytes>} after every successful charge,
 * i.e. after the bytes were paid for and before they would be written. It never exits by itself;
 * the test kills it with SIGKILL. Every 97 charges it writes a budget snapshot.
 */
public final class CrashWorkload {

  private CrashWorkload() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    Random rnd = new Random(Long.parseLong(args[1]));
    ManualClock clock = ManualClock.at(args[2]);
    StoreFixture f = new StoreFixture(dataDir, clock);
    f.policy = new ChunkPolicy(2_000, 20_000);
    PrintStream out = System.out;
    LocalBudgetStore store = f.open();
    Escrow escrow = new Escrow(store, clock, 25, StoreFixture.TTL);
    List<BudgetPath> paths =
        List.of(
            f.tree.path("inference", "acme", null),
            f.tree.path("inference", "beta", null),
            f.tree.path("employee", "default", null),
            f.tree.path("employee", "default", "*.corp.example"));
    out.println("READY");
    out.flush();
    for (long i = 0; ; i++) {
      BudgetPath p = paths.get(rnd.nextInt(paths.size()));
      long n = 1 + rnd.nextInt(1_500);
      EscrowAccount a = escrow.account(p);
      boolean paid = false;
      for (int attempt = 0; attempt < 5 && !paid; attempt++) {
        if (a.tryCharge(n) == EscrowAccount.CHARGED) {
          paid = true;
        } else if (a.refill(n).join().kind() != EscrowAccount.Outcome.Kind.GRANTED) {
          break;
        }
      }
      if (paid) {
        out.println("C " + p.key() + " " + n);
        out.flush();
      } else {
        out.println("D " + p.key());
        out.flush();
      }
      clock.advance(Duration.ofMillis(3));
      if (i % 97 == 96) {
        // Snapshots with open escrow sets, so restarts resume from a snapshot and then replay.
        store.snapshot();
      }
    }
  }
}
