/* Numbers as people type them, read as the server reads them (backpainlog/units.py:
   parse_decimal and parse_duration), so that the live pace, the parsed duration shown as
   you type and an entry saved offline agree with what an online save stores. */
(function (global) {
  "use strict";

  // Thousandths of a metre in one unit: distances are kept as integers of thousandths of
  // the unit (three decimals, as the server's form), so that metres come out exactly as
  // the server's Decimal arithmetic gives them (8,2 mi is 13196.6208 m, not 13196.621).
  var MM_PER_UNIT = { km: 1000000, mi: 1609344 };
  var DECIMALS = 3;

  function failure(message) { return { error: message }; }

  // "8,2" and "8.2" are 8.2; a comma is never a thousands separator, so both in one value
  // is refused rather than guessed. Returns {value: thousandths} or {error}.
  function parseDecimal(text) {
    text = String(text || "").trim();
    if (text.indexOf(",") !== -1 && text.indexOf(".") !== -1) {
      return failure("Use a decimal point or a decimal comma, not both (for example 8.2 or 8,2).");
    }
    var match = /^\+?(\d*)(?:[.,](\d*))?$/.exec(text);
    if (!match || (match[1] === "" && !match[2])) return failure("Enter a number, such as 8.2 or 8,2.");
    var decimals = match[2] || "";
    if (decimals.length > DECIMALS) return failure("Enter at most " + DECIMALS + " decimals.");
    while (decimals.length < DECIMALS) decimals += "0";
    var whole = match[1].replace(/^0+(?=\d)/, "");
    if (whole.length > 9) return failure("Enter a smaller number.");
    return { value: Number(whole || "0") * 1000 + Number(decimals) };
  }

  // A distance typed in `unit`: {metres} or {error}.
  function parseDistance(text, unit) {
    var parsed = parseDecimal(text);
    if (parsed.error) return parsed;
    if (!(parsed.value > 0)) return failure("Must be more than 0.");
    return { metres: parsed.value * MM_PER_UNIT[unit || "km"] / 1000000 };
  }

  var HINT = "Enter a duration such as 45:30, 1:05:30, 45 (minutes) or 4530 (45:30).";

  // h:mm:ss or mm:ss; one or two digits are minutes; three to six digits are a stopwatch
  // read from the right ("4530" = 45:30, "10530" = 1:05:30); minutes with a decimal
  // ("45.5"). Returns {seconds} (null for empty text) or {error}.
  function parseDuration(text) {
    text = String(text || "").trim();
    if (!text) return { seconds: null };
    var hours, minutes, seconds;
    var clock = /^(?:(\d+):)?(\d{1,2}):(\d{1,2})$/.exec(text);
    if (clock) {
      hours = Number(clock[1] || 0); minutes = Number(clock[2]); seconds = Number(clock[3]);
      if (seconds >= 60 || (clock[1] !== undefined && minutes >= 60)) return failure("Minutes and seconds go up to 59.");
      return { seconds: hours * 3600 + minutes * 60 + seconds };
    }
    if (/^\d{1,6}$/.test(text)) {
      if (text.length <= 2) return { seconds: Number(text) * 60 };
      hours = Number(text.slice(0, -4) || 0); minutes = Number(text.slice(-4, -2)); seconds = Number(text.slice(-2));
      if (seconds >= 60 || (text.length > 4 && minutes >= 60)) {
        return failure("Minutes and seconds go up to 59 (4530 is 45:30).");
      }
      return { seconds: hours * 3600 + minutes * 60 + seconds };
    }
    var decimal = /^(\d{1,4})[.,](\d{1,3})$/.exec(text);
    if (decimal) {
      // In thousandths of a second, whole numbers, rounded half to even as the server's
      // Decimal is: "0.0125" cannot come here (three decimals at most, on both sides).
      var thousandths = (Number(decimal[1]) * 1000 + Number(decimal[2].padEnd(3, "0"))) * 60;
      var rounded = Math.floor(thousandths / 1000);
      var rest = thousandths % 1000;
      if (rest > 500 || (rest === 500 && rounded % 2 === 1)) rounded += 1;
      return { seconds: rounded };
    }
    return failure(HINT);
  }

  function pad(number) { return String(number).padStart(2, "0"); }

  // 2730 → "45:30", 3930 → "1:05:30" (as the server's format_duration).
  function formatDuration(total) {
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    return hours ? hours + ":" + pad(minutes) + ":" + pad(seconds) : minutes + ":" + pad(seconds);
  }

  // Said in words, so that "4530" visibly means 45 minutes and 30 seconds.
  function describeDuration(total) {
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    var parts = [];
    if (hours) parts.push(hours + " h");
    if (minutes || hours) parts.push(minutes + " min");
    if (seconds || !parts.length) parts.push(seconds + " s");
    return parts.join(" ");
  }

  global.BackpainlogNumbers = {
    parseDecimal: parseDecimal,
    parseDistance: parseDistance,
    parseDuration: parseDuration,
    formatDuration: formatDuration,
    describeDuration: describeDuration,
    MM_PER_UNIT: MM_PER_UNIT
  };
})(self);
