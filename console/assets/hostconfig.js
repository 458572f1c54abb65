// Teams-like host configs for the Adaptive Cards renderer, light and dark,
// after the values Teams uses (Segoe UI, its sizes, spacing and colours).
"use strict";
(function () {
  function styles(bg, emphasisBg, fg, subtle, accent, good, warning, attention) {
    const colors = {
      default: { default: fg, subtle: subtle },
      dark: { default: "#252424", subtle: "#484644" },
      light: { default: "#FFFFFF", subtle: "#B3B0AD" },
      accent: { default: accent, subtle: accent },
      good: { default: good, subtle: good },
      warning: { default: warning, subtle: warning },
      attention: { default: attention, subtle: attention },
    };
    return {
      default: { backgroundColor: bg, foregroundColors: colors },
      emphasis: { backgroundColor: emphasisBg, foregroundColors: colors },
      accent: { backgroundColor: emphasisBg, foregroundColors: colors },
      good: { backgroundColor: emphasisBg, foregroundColors: colors },
      attention: { backgroundColor: emphasisBg, foregroundColors: colors },
      warning: { backgroundColor: emphasisBg, foregroundColors: colors },
    };
  }
  function config(containerStyles) {
    return {
      supportsInteractivity: true,
      fontFamily: "'Segoe UI', system-ui, -apple-system, 'Helvetica Neue', sans-serif",
      spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
      separator: { lineThickness: 1, lineColor: "#8A886666" },
      fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 200, default: 400, bolder: 600 },
      imageSizes: { small: 32, medium: 52, large: 100 },
      containerStyles: containerStyles,
      actions: {
        maxActions: 6, spacing: "default", buttonSpacing: 8,
        showCard: { actionMode: "inline", inlineTopMargin: 16 },
        actionsOrientation: "horizontal", actionAlignment: "left",
      },
      adaptiveCard: { allowCustomStyle: true },
      imageSet: { imageSize: "medium", maxImageHeight: 100 },
      factSet: {
        title: { color: "default", size: "default", isSubtle: false, weight: "bolder", wrap: true, maxWidth: 150 },
        value: { color: "default", size: "default", isSubtle: false, weight: "default", wrap: true },
        spacing: 8,
      },
    };
  }
  window.TeamsHostConfig = {
    light: config(styles("#FFFFFF", "#F5F5F5", "#242424", "#616161", "#5B5FC7", "#0E700E", "#835B00", "#C4314B")),
    dark: config(styles("#292929", "#1F1F1F", "#FFFFFF", "#ADADAD", "#7F85F5", "#54B054", "#F2C661", "#F9526B")),
  };
})();
