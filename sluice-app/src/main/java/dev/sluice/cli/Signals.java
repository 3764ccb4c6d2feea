package dev.sluice.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * Handles a POSIX signal with {@code sun.misc.Signal}. The JDK has no public API for signals;
 * {@code sun.misc.Signal} from the {@code jdk.unsupported} module is the one every JDK since 9
 * keeps exported for exactly this. It is reached by reflection because javac warns about it at
 * compile time in a way no annotation silences, and the build treats warnings as errors.
 */
final class Signals {

  private Signals() {}

  /**
   * Runs {@code action} on a new thread named {@code threadName} at every {@code signal} ("HUP",
   * "TERM", "INT"), replacing the JVM's handling of it.
   *
   * @return null when installed, else why not (the class is missing, or the JVM reserves the
   *     signal, as with {@code -Xrs})
   */
  static String on(String signal, String threadName, Runnable action) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Object sig = signalClass.getConstructor(String.class).newInstance(signal);
      Object onSignal =
          Proxy.newProxyInstance(
              Signals.class.getClassLoader(),
              new Class<?>[] {handler},
              (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                  Thread t = new Thread(action, threadName);
                  t.setDaemon(true);
                  t.start();
                  return null;
                }
                return method.getName().equals("toString")
                    ? "sluice SIG" + signal + " handler"
                    : null;
              });
      signalClass.getMethod("handle", signalClass, handler).invoke(null, sig, onSignal);
      return null;
    } catch (ReflectiveOperationException | LinkageError e) {
      Throwable why = e instanceof InvocationTargetException i ? i.getCause() : e;
      return why.toString();
    }
  }
}
