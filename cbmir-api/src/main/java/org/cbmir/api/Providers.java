package org.cbmir.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Finds service providers once per type and picks one, after DJL's default engine: the one a system
 * property names, else the first on the class path.
 *
 * <p>Thread-safety: thread-safe; the first lookup of a type may run twice concurrently, with the
 * same result.
 */
final class Providers {
  private static final Map<Class<?>, List<?>> FOUND = new ConcurrentHashMap<>();

  private Providers() {}

  /**
   * The provider of {@code type} whose {@code name} the system property {@code property} gives, or
   * the first found when it is unset.
   *
   * @param module the artifact that provides one, for the message when none is found
   * @throws IllegalStateException if there is none, or none of the name asked for (the message
   *     lists the names found)
   */
  static <T> T select(Class<T> type, Function<T, String> name, String property, String module) {
    return select(type, name, property, module, p -> true);
  }

  /**
   * As {@link #select(Class, Function, String, String)}, among the providers that {@code eligible}
   * accepts.
   */
  static <T> T select(
      Class<T> type,
      Function<T, String> name,
      String property,
      String module,
      Predicate<? super T> eligible) {
    List<T> all = new ArrayList<>();
    for (T p : all(type)) {
      if (eligible.test(p)) {
        all.add(p);
      }
    }
    if (all.isEmpty()) {
      throw new IllegalStateException(
          "no " + type.getName() + " on the class path: add the dependency " + module);
    }
    String wanted = System.getProperty(property, "").trim().toLowerCase(Locale.ROOT);
    if (wanted.isEmpty()) {
      return all.get(0);
    }
    List<String> names = new ArrayList<>();
    for (T p : all) {
      String n = name.apply(p);
      if (n.toLowerCase(Locale.ROOT).equals(wanted)) {
        return p;
      }
      names.add(n);
    }
    throw new IllegalStateException(
        "-D" + property + "=" + wanted + " names no provider on the class path; valid: " + names);
  }

  /**
   * The providers visible from the loader that defined the service type, not from the thread's
   * context loader: where cbmir runs in a module layer or class loader of its own, the context
   * loader may see another copy of the interface, whose providers are not of this type ({@code
   * ModulePathIT} found it). Where both are one loader, as for most applications, nothing changes.
   */
  static <T> ServiceLoader<T> load(Class<T> type) {
    return ServiceLoader.load(type, type.getClassLoader());
  }

  /** Every provider of {@code type} on the class path, in class-path order, looked up once. */
  @SuppressWarnings("unchecked")
  static <T> List<T> all(Class<T> type) {
    return (List<T>)
        FOUND.computeIfAbsent(
            type,
            t -> {
              List<T> found = new ArrayList<>();
              load(type).forEach(found::add);
              return List.copyOf(found);
            });
  }
}
