"""Where stores and customers are: coordinates, postcode areas, distances and their segment fields."""
