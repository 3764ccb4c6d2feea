package dev.sluice.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider of the {@code sluice} jar (found by {@link java.util.ServiceLoader} through
 * {@code META-INF/services/org.slf4j.spi.SLF4JServiceProvider}); it replaced slf4j-simple so that
 * the same lines can also be written as JSON. No MDC (nothing in Sluice uses it).
 */
public final class SluiceLogProvider implements SLF4JServiceProvider {

  private ILoggerFactory loggers;
  private IMarkerFactory markers;
  private MDCAdapter mdc;

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    loggers = new SluiceLoggerFactory();
    markers = new BasicMarkerFactory();
    mdc = new NOPMDCAdapter();
  }
}
