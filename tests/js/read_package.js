// Reads every table of a Data Package with the frictionless JavaScript client, relations checked.
const {Package} = require('datapackage')
async function main() {
  const pkg = await Package.load(process.argv[2])
  if (!pkg.valid) { console.log(JSON.stringify({errors: pkg.errors.map(String)})); process.exit(1) }
  const out = {}
  for (const resource of pkg.resources) {
    const rows = await resource.read({keyed: true, relations: true})
    out[resource.name] = rows.length
  }
  console.log(JSON.stringify(out))
}
main().catch((e) => { console.log(JSON.stringify({error: String(e), errors: (e.errors || []).map(String)})); process.exit(1) })
