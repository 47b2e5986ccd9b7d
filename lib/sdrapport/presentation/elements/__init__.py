"""What a chapter draws: tables, charts, maps, tiles, sentences, and the components that label them."""
