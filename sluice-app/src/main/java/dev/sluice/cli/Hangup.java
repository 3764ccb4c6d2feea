package dev.sluice.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP reloads the configuration file {@code sluice run} was started with. The JDK has no public
 * API for signals; {@code sun.misc.Signal} from the {@code jdk.unsupported} module is the one every
 * JDK since 9 keeps exported for exactly this. It is reached by reflection because javac warns
 * about it at compile time in a way no annotation silences, and the build treats warnings as
 * errors. Where it is missing (or SIGHUP is reserved by the JVM, as with {@code -Xrs}), reloading
 * still works with {@code sluice reload}; a warning says so.
 */
final class Hangup {

  private static final Logger log = LoggerFactory.getLogger(Hangup.class);

  private Hangup() {}

  /** Runs {@code action} on a thread of its own at every SIGHUP. */
  static void onSignal(Runnable action) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Object hup = signal.getConstructor(String.class).newInstance("HUP");
      Object onHup =
          Proxy.newProxyInstance(
              Hangup.class.getClassLoader(),
              new Class<?>[] {handler},
              (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                  Thread t = new Thread(action, "sluice-sighup");
                  t.setDaemon(true);
                  t.start();
                  return null;
                }
                return method.getName().equals("toString") ? "sluice SIGHUP handler" : null;
              });
      signal.getMethod("handle", signal, handler).invoke(null, hup, onHup);
    } catch (ReflectiveOperationException | LinkageError e) {
      Throwable why = e instanceof InvocationTargetException i ? i.getCause() : e;
      log.warn("SIGHUP cannot be handled here ({}); reload with `sluice reload`", why.toString());
    }
  }
}
