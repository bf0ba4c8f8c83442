import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Java's verdicts for portable-patterns.test.ts: `Pattern.compile(p).matcher(s).find()` for each
 * pattern and string, read as lines of UTF-16 code units (see regex-engines.ts), one line of 1s
 * and 0s per pattern back, or `!` and why Java cannot read it.
 */
public class Verdicts {
  private static String decode(String line) {
    if (line.isEmpty()) return "";
    String[] units = line.split(",");
    char[] chars = new char[units.length];
    for (int i = 0; i < units.length; i++) chars[i] = (char) Integer.parseInt(units[i]);
    return new String(chars);
  }

  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    List<String> lines = in.lines().toList();
    String[] counts = lines.get(0).split(" ");
    int patternCount = Integer.parseInt(counts[0]);
    int textCount = Integer.parseInt(counts[1]);
    List<String> texts = lines.subList(1 + patternCount, 1 + patternCount + textCount).stream()
        .map(Verdicts::decode).toList();
    StringBuilder out = new StringBuilder();
    for (String line : lines.subList(1, 1 + patternCount)) {
      try {
        Pattern pattern = Pattern.compile(decode(line));
        for (String text : texts) out.append(pattern.matcher(text).find() ? '1' : '0');
      } catch (PatternSyntaxException error) {
        out.append('!').append(error.getDescription());
      }
      out.append('\n');
    }
    System.out.print(out);
  }
}
