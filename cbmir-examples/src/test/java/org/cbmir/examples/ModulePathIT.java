package org.cbmir.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.cbmir.api.testing.SharedData;
import org.junit.jupiter.api.Test;

/**
 * The library as an application on the module path sees it: cbmir-api, -index, -data and -onnx (and
 * their dependencies) resolved as modules in a layer of their own, away from this test's class
 * path. Resolution fails on a missing {@code requires}, a split package or a service without its
 * {@code uses}; the calls below fail on a package a module does not export or a provider it does
 * not declare. Runs in its own JVM (failsafe), so ONNX Runtime's native library is loaded once, by
 * the layer.
 */
class ModulePathIT {
  private static final List<String> CBMIR =
      List.of("org.cbmir.api", "org.cbmir.index", "org.cbmir.data", "org.cbmir.onnx");

  /** Where a class on this test's class path came from: a jar or a classes folder. */
  private static Path origin(String className) throws ReflectiveOperationException {
    try {
      return Path.of(
          Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ModuleLayer layer() throws ReflectiveOperationException {
    List<Path> path = new ArrayList<>();
    for (String c :
        List.of(
            "org.cbmir.api.Models",
            "org.cbmir.index.HammingIndexProvider",
            "org.cbmir.data.DicomSeriesReader",
            "org.cbmir.onnx.OnnxModelProvider",
            "org.slf4j.Logger",
            "org.roaringbitmap.RoaringBitmap",
            "ij.ImagePlus",
            "ai.onnxruntime.OrtEnvironment")) {
      path.add(origin(c));
    }
    ModuleFinder finder = ModuleFinder.of(path.toArray(Path[]::new));
    Configuration cf =
        ModuleLayer.boot()
            .configuration()
            .resolveAndBind(finder, ModuleFinder.of(), Set.of("org.cbmir.api"));
    return ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
  }

  @Test
  void theLibraryResolvesAsExplicitModulesWithItsInternalsClosed() throws Exception {
    ModuleLayer layer = layer();
    for (String name : CBMIR) {
      Module m = layer.findModule(name).orElseThrow(() -> new AssertionError(name + " resolved"));
      assertFalse(m.getDescriptor().isAutomatic(), name + " has a module descriptor");
    }
    Module index = layer.findModule("org.cbmir.index").orElseThrow();
    assertTrue(index.isExported("org.cbmir.index"));
    assertFalse(
        index.isExported("org.cbmir.index.kernels"),
        "the kernels are exported to the benchmarks only");
    Set<String> kernelTargets =
        index.getDescriptor().exports().stream()
            .filter(e -> e.source().equals("org.cbmir.index.kernels"))
            .flatMap(e -> e.targets().stream())
            .collect(Collectors.toSet());
    assertEquals(Set.of("org.cbmir.benchmarks"), kernelTargets);
    ModuleDescriptor api = layer.findModule("org.cbmir.api").orElseThrow().getDescriptor();
    assertTrue(api.requires().stream().noneMatch(r -> r.name().startsWith("org.cbmir")));
  }

  @Test
  void servicesAreFoundAndTheFacadeWorksOnTheModulePath() throws Exception {
    ModuleLayer layer = layer();
    ClassLoader loader = layer.findLoader("org.cbmir.api");
    Class<?> readerType = loader.loadClass("org.cbmir.api.VolumeReader");
    List<String> readers = new ArrayList<>();
    Method name = readerType.getMethod("name");
    for (Object r : ServiceLoader.load(layer, readerType)) {
      readers.add((String) name.invoke(r));
    }
    assertEquals(List.of("dicom", "metaimage"), readers.stream().sorted().toList());

    // SimilarCaseSearch.create(): the model provider (cbmir-onnx) and the index provider
    // (cbmir-index), both found through the api module's ServiceLoader in module mode.
    Class<?> facade = loader.loadClass("org.cbmir.api.SimilarCaseSearch");
    try (AutoCloseable cbmir = (AutoCloseable) facade.getMethod("create").invoke(null)) {
      Object index = facade.getMethod("index").invoke(cbmir);
      assertEquals("org.cbmir.index", index.getClass().getModule().getName());
      Path data = SharedData.find();
      if (data != null) {
        // Readers (ImageJ, java.desktop, java.xml) and the models on real DICOM, as modules.
        Object report =
            facade.getMethod("ingest", Path.class).invoke(cbmir, data.resolve("covid19-ny-sbu"));
        int slices = (int) report.getClass().getMethod("slices").invoke(report);
        assertTrue(slices >= 10, "COVID slices ingested on the module path: " + slices);
      }
    }
  }
}
