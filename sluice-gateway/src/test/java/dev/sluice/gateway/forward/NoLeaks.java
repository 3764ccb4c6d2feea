package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After a test class, asks the garbage collector for unreleased buffers and fails if Netty's leak
 * detector ({@link LeakRecorder}) reported any. Best effort: a leak the collector has not found yet
 * is reported by a later class, and still logged as LEAK.
 */
public final class NoLeaks implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) {
    if (!LeakRecorder.installed()) {
      return;
    }
    for (int i = 0; i < 3; i++) {
      System.gc();
      // Allocating a tracked buffer makes the detector look at what the collector found.
      for (ByteBuf b :
          new ByteBuf[] {
            PooledByteBufAllocator.DEFAULT.buffer(1), UnpooledByteBufAllocator.DEFAULT.buffer(1)
          }) {
        b.release();
      }
    }
    assertThat(LeakRecorder.leaks()).as("buffers Netty reported as leaked").isEmpty();
  }
}
