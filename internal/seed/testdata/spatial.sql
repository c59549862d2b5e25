-- PostGIS columns written for the seeder's tests: typed geometry and geography columns of each
-- shape, dimensions and SRIDs, an unconstrained geometry, and a column constrained the way
-- AddGeometryColumn did before typmods (enforce_srid, enforce_geotype, enforce_dims CHECKs).

CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;

CREATE TABLE public.place (
    id serial PRIMARY KEY,
    name text NOT NULL,
    spot public.geometry(Point,4326) NOT NULL,
    area public.geometry(MultiPolygon,4326),
    route public.geometry(LineStringZ,3857),
    parcels public.geometry(GeometryCollection,3857),
    crossings public.geometry(MultiLineStringM,4326),
    anything public.geometry,
    around public.geography(Polygon,4326) NOT NULL,
    visit public.geography NOT NULL,
    stops public.geography(MultiPoint),
    legacy public.geometry,
    CONSTRAINT enforce_srid_legacy CHECK ((public.st_srid(legacy) = 2163)),
    CONSTRAINT enforce_geotype_legacy CHECK (((public.geometrytype(legacy) = 'POLYGON'::text) OR (legacy IS NULL))),
    CONSTRAINT enforce_dims_legacy CHECK ((public.st_ndims(legacy) = 2))
);
