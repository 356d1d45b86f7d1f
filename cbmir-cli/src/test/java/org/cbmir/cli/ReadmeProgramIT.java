package org.cbmir.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.cbmir.data.ThoraxPhantom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The program printed in the README, compiled exactly as printed and run with the cbmir jars on the
 * module path (each an automatic module named by its manifest), as a consumer would.
 */
class ReadmeProgramIT {
  @TempDir Path dir;

  /** The Java block after the README's {@code <!-- readme-program -->} marker. */
  static String readmeProgram() throws IOException {
    String readme = Files.readString(Path.of(System.getProperty("cbmir.readme", "../README.md")));
    Matcher m =
        Pattern.compile("<!-- readme-program -->\\s*```java\\n(.*?)```", Pattern.DOTALL)
            .matcher(readme);
    assertTrue(m.find(), "README.md has a java block after <!-- readme-program -->");
    return m.group(1);
  }

  /** The cbmir jars and their runtime dependencies from this test's class path. */
  static List<String> modulePath() {
    List<String> out = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(e).getFileName().toString();
      if (name.endsWith(".jar")
          && !name.matches(
              "(junit|opentest4j|apiguardian|picocli"
                  + "|surefire|failsafe|common-java|common-junit|cbmir-cli).*")) {
        out.add(e);
      }
    }
    return out;
  }

  @Test
  void theReadmeProgramRunsOnTheModulePath() throws Exception {
    List<ThoraxPhantom.Result> patients = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      patients.add(
          ThoraxPhantom.builder()
              .seed(90 + p)
              .size(160)
              .pixelSpacingMm(2.2)
              .slices(6, 5)
              .patientId("RD" + p)
              .addNodule(14)
              .build());
    }
    Path archive = ThoraxPhantom.writeArchive(dir.resolve("archive"), patients);
    Path src = dir.resolve("src/FindSimilar.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, readmeProgram());
    List<String> mp = modulePath();
    assertTrue(mp.stream().anyMatch(j -> j.contains("cbmir-api")), "cbmir jars: " + mp);
    String modules = String.join(File.pathSeparator, mp);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int compiled =
        javac.run(
            null,
            diagnostics,
            diagnostics,
            "--module-path",
            modules,
            "--add-modules",
            "org.cbmir.api",
            "-d",
            dir.resolve("classes").toString(),
            src.toString());
    assertEquals(0, compiled, "the README program compiles:\n" + diagnostics);

    String java = ProcessHandle.current().info().command().orElse("java");
    Process run =
        new ProcessBuilder(
                java,
                "--module-path",
                modules,
                "--add-modules",
                "ALL-MODULE-PATH",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                dir.resolve("classes").toString(),
                "FindSimilar",
                archive.toString(),
                archive.resolve("RD1.mhd").toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    assertTrue(run.waitFor(3, TimeUnit.MINUTES));
    String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, run.exitValue(), out);
    assertTrue(out.contains("1 RD1 slice 0: "), "the query's own slice first:\n" + out);
    assertEquals(10, out.lines().filter(l -> l.matches("\\d+ RD\\d slice \\d+: .*")).count(), out);
    assertTrue(out.contains("13-18 mm"), "classes from the annotations beside the images:\n" + out);
    assertTrue(Files.isRegularFile(dir.resolve("archive.cbmir")), "saved as printed");
  }
}
