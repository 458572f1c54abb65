package bot

// DecodeFast lets the external tests (FuzzDecodeFast and the fixture
// tables) call the fast path alone.
var DecodeFast = decodeFast
