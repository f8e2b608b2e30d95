import postgres from "postgres";
const sql = postgres(process.env.DATABASE_URL!, { max: 4, fetch_types: false, onnotice: () => {} });
const t = setTimeout(() => { console.log("HANG"); process.exit(1); }, 5000);
await sql`select 1`;
const slow = sql`select pg_sleep(1)`;
const conns = await Promise.all([sql.reserve(), sql.reserve()]);
for (const conn of conns) { const b = conn.unsafe("BEGIN"); b.catch(() => {}); console.log(await conn.unsafe("SELECT 2 AS y", [], { prepare: true })); await b; await conn.unsafe("COMMIT"); conn.release(); }
await slow; clearTimeout(t); await sql.end(); console.log("ok");
