package org.cbmir.api.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints the seed beside every failed test of a seeded class, with the option that replays it, so
 * that a failure found with {@code -Dcbmir.test.seed=random} is never lost. Use with
 * {@code @ExtendWith(SeedReporter.class)}.
 *
 * <p>Thread-safety: stateless.
 */
public final class SeedReporter implements TestWatcher {
  /** The system property that sets the seed: a number, or {@code random}. */
  public static final String PROPERTY = "cbmir.test.seed";

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    System.err.println(
        context.getDisplayName()
            + " in "
            + context.getRequiredTestClass().getSimpleName()
            + " failed with seed "
            + Robustness.SEED
            + "; replay with -D"
            + PROPERTY
            + "="
            + Robustness.SEED);
  }
}
