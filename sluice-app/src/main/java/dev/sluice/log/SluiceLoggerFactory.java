package dev.sluice.log;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/** One {@link SluiceLogger} per name, made on first use. Thread-safe. */
final class SluiceLoggerFactory implements ILoggerFactory {

  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();

  @Override
  public Logger getLogger(String name) {
    return loggers.computeIfAbsent(name, SluiceLogger::new);
  }
}
