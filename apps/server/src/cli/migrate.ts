// `node dist/migrate.js`: applies pending migrations (the db package's command, bundled with the server).
import "@tidings/db/cli/migrate";
