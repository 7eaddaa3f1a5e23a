package dev.berth.engine.container;

import dev.berth.errors.InvalidArgumentException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Container IDs and names as Docker makes them: 64 hex digits, and {@code adjective_surname} when no name is given. */
public final class Names {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern VALID = Pattern.compile("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$");
  private static final List<String> LEFT = List.of("admiring", "adoring", "affectionate", "agitated", "amazing",
      "angry", "awesome", "beautiful", "blissful", "bold", "boring", "brave", "busy", "charming", "clever", "compassionate",
      "competent", "condescending", "confident", "cool", "cranky", "crazy", "dazzling", "determined", "distracted",
      "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent", "epic", "exciting", "fervent",
      "festive", "flamboyant", "focused", "friendly", "frosty", "funny", "gallant", "gifted", "goofy", "gracious",
      "great", "happy", "hardcore", "heuristic", "hopeful", "hungry", "infallible", "inspiring", "intelligent",
      "interesting", "jolly", "jovial", "keen", "kind", "laughing", "loving", "lucid", "magical", "modest", "musing",
      "mystifying", "naughty", "nervous", "nice", "nifty", "nostalgic", "objective", "optimistic", "peaceful",
      "pedantic", "pensive", "practical", "priceless", "quirky", "quizzical", "recursing", "relaxed", "reverent",
      "romantic", "sad", "serene", "sharp", "silly", "sleepy", "stoic", "strange", "stupefied", "suspicious", "sweet",
      "tender", "thirsty", "trusting", "unruffled", "upbeat", "vibrant", "vigilant", "vigorous", "wizardly",
      "wonderful", "xenodochial", "youthful", "zealous", "zen");
  private static final List<String> RIGHT = List.of("agnesi", "albattani", "allen", "almeida", "archimedes",
      "ardinghelli", "aryabhata", "babbage", "banach", "bardeen", "bartik", "bassi", "bell", "bhabha", "blackwell",
      "bohr", "booth", "borg", "bose", "brahmagupta", "brattain", "brown", "carson", "cerf", "chandrasekhar",
      "chatelet", "clarke", "colden", "cori", "cray", "curie", "darwin", "davinci", "diffie", "dijkstra", "dirac",
      "driscoll", "dubinsky", "easley", "einstein", "elion", "engelbart", "euclid", "euler", "fermat", "fermi",
      "feynman", "franklin", "galileo", "gates", "goldberg", "goldstine", "goldwasser", "goodall", "hamilton",
      "hawking", "heisenberg", "hertz", "hodgkin", "hofstadter", "hopper", "hugle", "hypatia", "jang", "jennings",
      "jepsen", "johnson", "joliot", "kalam", "kapitsa", "kare", "keller", "kepler", "khorana", "kilby", "knuth",
      "kowalevski", "lalande", "lamarr", "lamport", "leakey", "leavitt", "lewin", "liskov", "lovelace", "lumiere",
      "mahavira", "mayer", "mccarthy", "mcclintock", "meitner", "mendel", "merkle", "minsky", "montalcini", "moore",
      "morse", "murdock", "napier", "newton", "nobel", "noether", "northcutt", "noyce", "payne", "perlman", "pike",
      "poincare", "ptolemy", "raman", "ramanujan", "ride", "ritchie", "roentgen", "rosalind", "saha", "sammet",
      "shannon", "shaw", "shirley", "shockley", "sinoussi", "snyder", "spence", "stonebraker", "swanson", "swartz",
      "tesla", "thompson", "torvalds", "turing", "varahamihira", "visvesvaraya", "volhard", "wescoff", "wiles",
      "williams", "wilson", "wing", "wozniak", "wright", "yalow", "yonath");

  private Names() {}

  /** A new ID: 32 random bytes in hex, never all digits (Docker avoids those: they read as numbers). */
  public static String newId() {
    while (true) {
      byte[] b = new byte[32];
      RANDOM.nextBytes(b);
      String id = HexFormat.of().formatHex(b);
      if (!id.substring(0, 12).chars().allMatch(Character::isDigit)) {
        return id;
      }
    }
  }

  /** A random {@code adjective_surname} that {@code taken} does not hold; a digit is appended after collisions. */
  public static String random(Predicate<String> taken) {
    for (int i = 0; ; i++) {
      String name = LEFT.get(RANDOM.nextInt(LEFT.size())) + "_" + RIGHT.get(RANDOM.nextInt(RIGHT.size()));
      if (i > 10) {
        name += RANDOM.nextInt(10);
      }
      if (!taken.test(name)) {
        return name;
      }
    }
  }

  /** Checks a name given by the user and strips Docker's leading slash. */
  public static String validate(String name) {
    if (!VALID.matcher(name).matches()) {
      throw new InvalidArgumentException("Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    }
    return name.startsWith("/") ? name.substring(1) : name;
  }
}
